"""Noise2Noise denoiser training and export for the noise2noise service."""

__version__ = "0.1.0"
