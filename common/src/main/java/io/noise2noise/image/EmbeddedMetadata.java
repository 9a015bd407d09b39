package io.noise2noise.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Finds the ICC profile and EXIF block a file carries by walking its chunks or segments (PNG iCCP and
 * eXIf, JPEG APP2 and APP1, WebP ICCP and EXIF, the TIFF ICC tag and orientation), and makes the
 * chunks and segments that put them back into written PNG and JPEG files. Metadata is a courtesy: what cannot be parsed is left out, it never
 * fails a decode.
 */
final class EmbeddedMetadata {

    /** ICC profiles are tens or hundreds of KB; a bigger inflated iCCP is refused rather than allocated. */
    private static final int MAX_ICC_BYTES = 4 << 20;

    private static final byte[] EXIF_HEADER = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ICC_HEADER = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final int JPEG_SEGMENT_MAX = 65533;
    private static final int JPEG_ICC_CHUNK = JPEG_SEGMENT_MAX - ICC_HEADER.length - 2;

    /** What was found: the profile and EXIF (either may be null) and the orientation to apply. */
    record Found(byte[] iccProfile, byte[] exif, int orientation) {
        static final Found NONE = new Found(null, null, ExifOrientation.UPRIGHT);
    }

    private EmbeddedMetadata() {}

    static Found read(String format, byte[] file) {
        try {
            return switch (format) {
                case "png" -> readPng(file);
                case "jpeg" -> readJpeg(file);
                case "webp" -> readWebp(file);
                case "tiff" -> readTiff(file);
                default -> Found.NONE;
            };
        } catch (IndexOutOfBoundsException e) {
            return Found.NONE;
        }
    }

    /** Where iCCP and eXIf chunks go in a PNG: right after IHDR (both must precede the image data). */
    static int pngInsertAt(byte[] head) {
        return 8 + 12 + ByteBuffer.wrap(head).getInt(8);
    }

    /** The iCCP and eXIf chunks for a profile and an EXIF block (either may be null). */
    static byte[] pngChunks(byte[] iccProfile, byte[] exif) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (iccProfile != null) {
            ByteArrayOutputStream chunk = new ByteArrayOutputStream();
            chunk.writeBytes("ICC profile\0\0".getBytes(StandardCharsets.ISO_8859_1));
            chunk.writeBytes(deflate(iccProfile));
            writePngChunk(out, "iCCP", chunk.toByteArray());
        }
        if (exif != null) {
            writePngChunk(out, "eXIf", exif);
        }
        return out.toByteArray();
    }

    /** Where APP1 and APP2 segments go in a JPEG: after SOI and any JFIF APP0. */
    static int jpegInsertAt(byte[] head) {
        if ((head[2] & 0xff) == 0xff && (head[3] & 0xff) == 0xe0) {
            return 4 + ((head[4] & 0xff) << 8 | (head[5] & 0xff));
        }
        return 2;
    }

    /** APP1 (EXIF, if it fits a segment) and APP2 (ICC, split as needed) segments. */
    static byte[] jpegSegments(byte[] iccProfile, byte[] exif) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (exif != null && EXIF_HEADER.length + exif.length <= JPEG_SEGMENT_MAX) {
            writeJpegSegment(out, 0xe1, EXIF_HEADER, exif, 0, exif.length);
        }
        if (iccProfile != null) {
            int chunks = (iccProfile.length + JPEG_ICC_CHUNK - 1) / JPEG_ICC_CHUNK;
            for (int i = 0; i < chunks && chunks <= 255; i++) {
                byte[] header = Arrays.copyOf(ICC_HEADER, ICC_HEADER.length + 2);
                header[ICC_HEADER.length] = (byte) (i + 1);
                header[ICC_HEADER.length + 1] = (byte) chunks;
                int from = i * JPEG_ICC_CHUNK;
                writeJpegSegment(
                        out, 0xe2, header, iccProfile, from, Math.min(JPEG_ICC_CHUNK, iccProfile.length - from));
            }
        }
        return out.toByteArray();
    }

    /**
     * The file with an ICC profile whose header declares more bytes than the file holds made
     * invisible to the readers: TwelveMonkeys' JPEG and WebP readers allocate the declared size (up
     * to 2 GB) up front. JPEG APP2 segments become comments, a WebP ICCP chunk an unknown chunk.
     */
    static byte[] withoutOversizedProfile(byte[] file) {
        if (file.length > 2 && (file[0] & 0xff) == 0xff && (file[1] & 0xff) == 0xd8) {
            return jpegWithoutOversizedProfile(file);
        }
        if (file.length > 12 && new String(file, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP")) {
            return webpWithoutOversizedProfile(file);
        }
        return file;
    }

    private static byte[] webpWithoutOversizedProfile(byte[] webp) {
        ByteBuffer data = ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = 12; at + 8 <= webp.length; ) {
            long length = Integer.toUnsignedLong(data.getInt((int) at + 4));
            int start = (int) at + 8;
            if (new String(webp, (int) at, 4, StandardCharsets.ISO_8859_1).equals("ICCP")) {
                long declared = start + 4 <= webp.length
                        ? Integer.toUnsignedLong(ByteBuffer.wrap(webp).getInt(start))
                        : 0;
                if (declared > Math.min(length, webp.length - start)) {
                    byte[] safe = webp.clone();
                    safe[(int) at + 3] = 'X';
                    return safe;
                }
                return webp;
            }
            at = start + length + (length & 1);
        }
        return webp;
    }

    private static byte[] jpegWithoutOversizedProfile(byte[] jpeg) {
        List<Integer> segments = new ArrayList<>();
        long held = 0;
        long declared = 0;
        int lowestSequence = Integer.MAX_VALUE;
        for (int at = 2; at + 4 <= jpeg.length && (jpeg[at] & 0xff) == 0xff; ) {
            int marker = jpeg[at + 1] & 0xff;
            int end = at + 2 + ((jpeg[at + 2] & 0xff) << 8 | (jpeg[at + 3] & 0xff));
            if (marker == 0xda || marker == 0xd9 || end > jpeg.length || end < at + 4) {
                break;
            }
            int payload = at + 4 + ICC_HEADER.length + 2;
            if (marker == 0xe2 && startsWith(jpeg, at + 4, end, ICC_HEADER) && payload <= end) {
                segments.add(at);
                held += end - payload;
                int sequence = jpeg[payload - 2] & 0xff;
                if ((segments.size() == 1 || sequence < lowestSequence) && payload + 4 <= end) {
                    declared = Math.max(
                            declared,
                            Integer.toUnsignedLong(ByteBuffer.wrap(jpeg).getInt(payload)));
                }
                lowestSequence = Math.min(lowestSequence, sequence);
            }
            at = end;
        }
        if (segments.isEmpty() || declared <= held) {
            return jpeg;
        }
        byte[] safe = jpeg.clone();
        for (int at : segments) {
            safe[at + 1] = (byte) 0xfe;
        }
        return safe;
    }

    private static Found readPng(byte[] png) {
        ByteBuffer data = ByteBuffer.wrap(png);
        byte[] icc = null;
        byte[] exif = null;
        int at = 8;
        while (at + 12 <= png.length) {
            long length = Integer.toUnsignedLong(data.getInt(at));
            String type = new String(png, at + 4, 4, StandardCharsets.ISO_8859_1);
            if (length > png.length - at - 12L || type.equals("IDAT") || type.equals("IEND")) {
                break;
            }
            int start = at + 8;
            int end = start + (int) length;
            if (type.equals("iCCP") && icc == null) {
                int nameEnd = indexOf(png, (byte) 0, start, end);
                icc = nameEnd < 0 || nameEnd + 2 > end ? null : inflate(png, nameEnd + 2, end);
            } else if (type.equals("eXIf") && exif == null) {
                exif = Arrays.copyOfRange(png, start, end);
            }
            at = end + 4;
        }
        return withExif(icc, exif);
    }

    private static Found readJpeg(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xff || (jpeg[1] & 0xff) != 0xd8) {
            return Found.NONE;
        }
        byte[] exif = null;
        TreeMap<Integer, byte[]> iccChunks = new TreeMap<>();
        int iccChunkCount = 0;
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xff) == 0xff) {
            int marker = jpeg[at + 1] & 0xff;
            if (marker == 0xff) {
                at++;
                continue;
            }
            if (marker == 0xda || marker == 0xd9) {
                break;
            }
            int length = (jpeg[at + 2] & 0xff) << 8 | (jpeg[at + 3] & 0xff);
            int start = at + 4;
            int end = at + 2 + length;
            if (length < 2 || end > jpeg.length) {
                break;
            }
            if (marker == 0xe1 && exif == null && startsWith(jpeg, start, end, EXIF_HEADER)) {
                exif = Arrays.copyOfRange(jpeg, start + EXIF_HEADER.length, end);
            } else if (marker == 0xe2
                    && startsWith(jpeg, start, end, ICC_HEADER)
                    && end >= start + ICC_HEADER.length + 2) {
                int sequence = jpeg[start + ICC_HEADER.length] & 0xff;
                iccChunkCount = jpeg[start + ICC_HEADER.length + 1] & 0xff;
                iccChunks.putIfAbsent(sequence, Arrays.copyOfRange(jpeg, start + ICC_HEADER.length + 2, end));
            }
            at = end;
        }
        byte[] icc = null;
        if (iccChunkCount > 0
                && iccChunks.size() == iccChunkCount
                && iccChunks.firstKey() == 1
                && iccChunks.lastKey() == iccChunkCount) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            iccChunks.values().forEach(joined::writeBytes);
            icc = joined.toByteArray();
        }
        return withExif(icc, exif);
    }

    private static Found readWebp(byte[] webp) {
        ByteBuffer data = ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN);
        byte[] icc = null;
        byte[] exif = null;
        int at = 12;
        while (at + 8 <= webp.length) {
            String type = new String(webp, at, 4, StandardCharsets.ISO_8859_1);
            long length = Integer.toUnsignedLong(data.getInt(at + 4));
            if (length > webp.length - at - 8L) {
                break;
            }
            int start = at + 8;
            int end = start + (int) length;
            if (type.equals("ICCP") && icc == null) {
                icc = Arrays.copyOfRange(webp, start, end);
            } else if (type.equals("EXIF") && exif == null) {
                // some writers keep the JPEG-style "Exif\0\0" prefix
                exif = Arrays.copyOfRange(webp, startsWith(webp, start, end, EXIF_HEADER) ? start + 6 : start, end);
            }
            at = end + (int) (length & 1);
        }
        return withExif(icc, exif);
    }

    private static Found readTiff(byte[] tiff) {
        TiffDirectory directory = TiffDirectory.parse(tiff);
        if (directory == null) {
            return Found.NONE;
        }
        byte[] icc = directory.bytes(TiffDirectory.ICC_PROFILE);
        Found exif = withExif(icc, directory.asExifBlock());
        return new Found(icc, exif.exif(), ExifOrientation.of(directory));
    }

    /** Keeps EXIF only when it parses, with its orientation reset to upright (the pixels will be turned). */
    private static Found withExif(byte[] icc, byte[] exif) {
        TiffDirectory directory = TiffDirectory.parse(exif);
        if (directory == null) {
            return new Found(icc, null, ExifOrientation.UPRIGHT);
        }
        return new Found(
                icc,
                directory.withShortValue(TiffDirectory.ORIENTATION, ExifOrientation.UPRIGHT),
                ExifOrientation.of(directory));
    }

    private static byte[] inflate(byte[] data, int from, int to) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data, from, to - from);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return null;
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_ICC_BYTES) {
                    return null;
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater();
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static void writePngChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static void writeJpegSegment(
            ByteArrayOutputStream out, int marker, byte[] header, byte[] data, int from, int length) {
        int segmentLength = 2 + header.length + length;
        out.write(0xff);
        out.write(marker);
        out.write(segmentLength >> 8);
        out.write(segmentLength & 0xff);
        out.writeBytes(header);
        out.write(data, from, length);
    }

    private static boolean startsWith(byte[] data, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && Arrays.equals(data, from, from + prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] data, byte value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
