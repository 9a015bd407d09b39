package io.noise2noise.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.ExifParentTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The tags the JDK TIFF writer is given besides its own: the ICC profile (it writes none from a
 * colour space) and the EXIF block's tags. EXIF is itself a TIFF directory, so its IFD0 tags (Make,
 * Model, DateTime, Orientation — already reset to 1 — ...) become tags of the written image and its
 * Exif and GPS sub-directories are written as such. Tags that describe the block's own layout are
 * left to the writer. Like all metadata, EXIF that does not parse is left out rather than failing.
 */
final class TiffMetadata {

    private TiffMetadata() {}

    /** The writer's default metadata plus the profile and the EXIF tags; null when there is neither. */
    static IIOMetadata forWriter(
            ImageWriter writer, BufferedImage image, ImageWriteParam param, byte[] icc, byte[] exif)
            throws IOException {
        TIFFDirectory exifTags = exif == null ? null : parse(exif);
        if (icc == null && exifTags == null) {
            return null;
        }
        IIOMetadata defaults = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
        TIFFDirectory directory = TIFFDirectory.createFromMetadata(defaults);
        if (exifTags != null) {
            directory.addTagSet(ExifParentTIFFTagSet.getInstance());
            for (TIFFField field : exifTags.getTIFFFields()) {
                if (!TiffDirectory.LAYOUT_TAGS.contains(field.getTagNumber())) {
                    directory.addTIFFField(field);
                }
            }
        }
        if (icc != null) {
            TIFFTag tag = BaselineTIFFTagSet.getInstance().getTag(BaselineTIFFTagSet.TAG_ICC_PROFILE);
            directory.addTIFFField(new TIFFField(tag, TIFFTag.TIFF_UNDEFINED, icc.length, icc));
        }
        return directory.getAsMetadata();
    }

    /** IFD0 of an EXIF block with its sub-directories, read by the JDK TIFF reader; null if it does not parse. */
    private static TIFFDirectory parse(byte[] exif) {
        ImageReader reader = jdkTiffReader();
        if (reader == null) {
            return null;
        }
        try {
            // a stream of unknown length: the reader checks strip offsets against a known length, and an EXIF block has
            // no strips
            reader.setInput(new MemoryCacheImageInputStream(new ByteArrayInputStream(exif)), true, false);
            return TIFFDirectory.createFromMetadata(reader.getImageMetadata(0));
        } catch (IOException | RuntimeException e) {
            return null;
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader jdkTiffReader() {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("tiff");
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (reader.getClass().getName().startsWith("com.sun.")) {
                return reader;
            }
        }
        return null;
    }
}
