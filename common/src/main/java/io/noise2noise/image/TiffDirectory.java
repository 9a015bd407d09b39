package io.noise2noise.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The first directory (IFD0) of a TIFF structure: a TIFF file's header, and also what an EXIF block
 * is. Every offset is bounds-checked; entries pointing outside the data are left out, so a damaged
 * block yields fewer tags rather than an exception.
 */
final class TiffDirectory {

    static final int ORIENTATION = 0x0112;
    static final int TILE_WIDTH = 322;
    static final int TILE_LENGTH = 323;
    static final int ICC_PROFILE = 34675;
    static final int EXIF_POINTER = 34665;
    static final int GPS_POINTER = 34853;
    private static final int INTEROPERABILITY_POINTER = 40965;
    private static final int X_RESOLUTION = 282;
    private static final int Y_RESOLUTION = 283;
    private static final int RESOLUTION_UNIT = 296;
    /** EXIF values are short; a bigger one (an embedded preview, a private blob) is left out, and so is a bigger block. */
    private static final int MAX_EXIF_VALUE = 64 * 1024;

    private static final int MAX_EXIF_BLOCK = 1 << 20;

    /**
     * Tags that describe how a TIFF's own pixels are stored (and the ICC profile, which travels on
     * its own): meaningless for another file, so never carried as EXIF.
     */
    static final Set<Integer> LAYOUT_TAGS = Set.of(
            254,
            255,
            256,
            257,
            258,
            259,
            262,
            263,
            266,
            273,
            277,
            278,
            279,
            280,
            281,
            284,
            288,
            289,
            290,
            291,
            292,
            293,
            317,
            320,
            322,
            323,
            324,
            325,
            330,
            338,
            339,
            340,
            341,
            347,
            512,
            513,
            514,
            515,
            517,
            518,
            519,
            520,
            521,
            529,
            530,
            531,
            532,
            ICC_PROFILE);

    private static final int[] TYPE_SIZES = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4};

    private record Entry(int tag, int type, long count, int valueAt, int size) {}

    private final ByteBuffer data;
    private final Map<Integer, Entry> entries;

    private TiffDirectory(ByteBuffer data, Map<Integer, Entry> entries) {
        this.data = data;
        this.entries = entries;
    }

    /** Parses IFD0, or returns null when there is no readable TIFF header. */
    static TiffDirectory parse(byte[] bytes) {
        if (bytes == null || bytes.length < 8) {
            return null;
        }
        ByteOrder order;
        if (bytes[0] == 'I' && bytes[1] == 'I') {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (bytes[0] == 'M' && bytes[1] == 'M') {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            return null;
        }
        ByteBuffer data = ByteBuffer.wrap(bytes).order(order);
        long ifd = Integer.toUnsignedLong(data.getInt(4));
        if (data.getShort(2) != 42) {
            return null;
        }
        return parseAt(data, ifd);
    }

    /** The directory at {@code ifd}, or null when it lies outside the data. */
    private static TiffDirectory parseAt(ByteBuffer data, long ifd) {
        int length = data.capacity();
        if (ifd < 8 || ifd + 2 > length) {
            return null;
        }
        int count = Short.toUnsignedInt(data.getShort((int) ifd));
        Map<Integer, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            long at = ifd + 2 + 12L * i;
            if (at + 12 > length) {
                break;
            }
            int tag = Short.toUnsignedInt(data.getShort((int) at));
            int type = Short.toUnsignedInt(data.getShort((int) at + 2));
            long values = Integer.toUnsignedLong(data.getInt((int) at + 4));
            long size = type < TYPE_SIZES.length ? values * TYPE_SIZES[type] : 0;
            long valueAt = size <= 4 ? at + 8 : Integer.toUnsignedLong(data.getInt((int) at + 8));
            if (size > 0 && valueAt + size <= length) {
                entries.putIfAbsent(tag, new Entry(tag, type, values, (int) valueAt, (int) size));
            }
        }
        return new TiffDirectory(data, entries);
    }

    /** The first value of a SHORT or LONG tag. */
    OptionalInt intValue(int tag) {
        Entry entry = entries.get(tag);
        if (entry == null) {
            return OptionalInt.empty();
        }
        return switch (entry.type()) {
            case 3 -> OptionalInt.of(Short.toUnsignedInt(data.getShort(entry.valueAt())));
            case 4 ->
                OptionalInt.of((int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(data.getInt(entry.valueAt()))));
            default -> OptionalInt.empty();
        };
    }

    /** The raw value bytes of a tag, or null. */
    byte[] bytes(int tag) {
        Entry entry = entries.get(tag);
        return entry == null ? null : Arrays.copyOfRange(data.array(), entry.valueAt(), entry.valueAt() + entry.size());
    }

    /**
     * This directory's descriptive tags (camera, date, author, resolution, ... and its Exif and GPS
     * sub-directories) as an EXIF block: a TIFF structure of its own in the same byte order, without
     * the tags that describe this file's pixels. Null when there is nothing besides orientation and
     * resolution, which every TIFF writer sets.
     */
    byte[] asExifBlock() {
        List<Entry> tags = entries.values().stream()
                .filter(e -> !LAYOUT_TAGS.contains(e.tag()) && e.size() <= MAX_EXIF_VALUE)
                .toList();
        boolean descriptive = tags.stream()
                .anyMatch(e -> e.tag() != ORIENTATION
                        && e.tag() != X_RESOLUTION
                        && e.tag() != Y_RESOLUTION
                        && e.tag() != RESOLUTION_UNIT);
        if (!descriptive) {
            return null;
        }
        Map<Integer, List<Entry>> subDirectories = new LinkedHashMap<>();
        for (int pointer : new int[] {EXIF_POINTER, GPS_POINTER}) {
            OptionalInt offset = intValue(pointer);
            TiffDirectory sub = offset.isPresent() ? parseAt(data, Integer.toUnsignedLong(offset.getAsInt())) : null;
            if (sub != null) {
                // the interoperability directory inside Exif is left out rather than followed
                subDirectories.put(
                        pointer,
                        sub.entries.values().stream()
                                .filter(e -> e.tag() != INTEROPERABILITY_POINTER && e.size() <= MAX_EXIF_VALUE)
                                .sorted(Comparator.comparingInt(Entry::tag))
                                .toList());
            }
        }
        List<Entry> top = tags.stream()
                .filter(e -> e.tag() != EXIF_POINTER && e.tag() != GPS_POINTER || subDirectories.containsKey(e.tag()))
                .sorted(Comparator.comparingInt(Entry::tag))
                .toList();

        long size = 8 + directorySize(top);
        for (List<Entry> sub : subDirectories.values()) {
            size += directorySize(sub);
        }
        if (size > MAX_EXIF_BLOCK) {
            return null;
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(data.order());
        out.put(data.order() == ByteOrder.LITTLE_ENDIAN ? (byte) 'I' : (byte) 'M');
        out.put(out.get(0)).putShort((short) 42).putInt(8);
        Map<Integer, Integer> subOffsets = new LinkedHashMap<>();
        int next = 8 + (int) directorySize(top);
        for (Map.Entry<Integer, List<Entry>> sub : subDirectories.entrySet()) {
            subOffsets.put(sub.getKey(), next);
            next += (int) directorySize(sub.getValue());
        }
        writeDirectory(out, 8, top, subOffsets);
        for (Map.Entry<Integer, List<Entry>> sub : subDirectories.entrySet()) {
            writeDirectory(out, subOffsets.get(sub.getKey()), sub.getValue(), Map.of());
        }
        return out.array();
    }

    /** The bytes a directory takes with its values stored after it (each value at an even offset). */
    private static long directorySize(List<Entry> entries) {
        long size = 2 + 12L * entries.size() + 4;
        for (Entry e : entries) {
            size += e.size() > 4 ? e.size() + (e.size() & 1) : 0;
        }
        return size;
    }

    /** Writes entries at {@code at} and their values after them; pointer tags get {@code pointers}' offsets. */
    private void writeDirectory(ByteBuffer out, int at, List<Entry> entries, Map<Integer, Integer> pointers) {
        int values = at + 2 + 12 * entries.size() + 4;
        out.putShort(at, (short) entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int entry = at + 2 + 12 * i;
            out.putShort(entry, (short) e.tag());
            if (pointers.containsKey(e.tag())) {
                out.putShort(entry + 2, (short) 4).putInt(entry + 4, 1).putInt(entry + 8, pointers.get(e.tag()));
                continue;
            }
            out.putShort(entry + 2, (short) e.type()).putInt(entry + 4, (int) e.count());
            if (e.size() <= 4) {
                out.put(entry + 8, data.array(), e.valueAt(), e.size());
            } else {
                out.putInt(entry + 8, values);
                out.put(values, data.array(), e.valueAt(), e.size());
                values += e.size() + (e.size() & 1);
            }
        }
        out.putInt(at + 2 + 12 * entries.size(), 0);
    }

    /** A copy of the parsed data with a SHORT tag's first value replaced; the data itself if the tag is absent. */
    byte[] withShortValue(int tag, int value) {
        Entry entry = entries.get(tag);
        byte[] copy = data.array().clone();
        if (entry != null && entry.type() == 3) {
            ByteBuffer.wrap(copy).order(data.order()).putShort(entry.valueAt(), (short) value);
        }
        return copy;
    }
}
