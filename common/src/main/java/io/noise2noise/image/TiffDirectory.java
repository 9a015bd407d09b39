package io.noise2noise.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

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

    private static final int[] TYPE_SIZES = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4};

    private record Entry(int type, long count, int valueAt, int size) {
    }

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
        if (data.getShort(2) != 42 || ifd < 8 || ifd + 2 > bytes.length) {
            return null;
        }
        int count = Short.toUnsignedInt(data.getShort((int) ifd));
        Map<Integer, Entry> entries = new HashMap<>();
        for (int i = 0; i < count; i++) {
            long at = ifd + 2 + 12L * i;
            if (at + 12 > bytes.length) {
                break;
            }
            int tag = Short.toUnsignedInt(data.getShort((int) at));
            int type = Short.toUnsignedInt(data.getShort((int) at + 2));
            long values = Integer.toUnsignedLong(data.getInt((int) at + 4));
            long size = type < TYPE_SIZES.length ? values * TYPE_SIZES[type] : 0;
            long valueAt = size <= 4 ? at + 8 : Integer.toUnsignedLong(data.getInt((int) at + 8));
            if (size > 0 && valueAt + size <= bytes.length) {
                entries.putIfAbsent(tag, new Entry(type, values, (int) valueAt, (int) size));
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
            case 4 -> OptionalInt.of((int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(data.getInt(entry.valueAt()))));
            default -> OptionalInt.empty();
        };
    }

    /** The raw value bytes of a tag, or null. */
    byte[] bytes(int tag) {
        Entry entry = entries.get(tag);
        return entry == null ? null : Arrays.copyOfRange(data.array(), entry.valueAt(), entry.valueAt() + entry.size());
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
