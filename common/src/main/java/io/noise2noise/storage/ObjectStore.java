package io.noise2noise.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The S3 bucket as the services see it: a flat key space of small-to-medium objects. */
public interface ObjectStore {

    void put(String key, byte[] data, String contentType);

    /** Stores {@code size} bytes read from {@code data}, so a large object need not be one array first. */
    void put(String key, InputStream data, long size, String contentType);

    /**
     * Creates {@code key} only if there is no such object yet ({@code If-None-Match: *}, atomic on
     * AWS S3, MinIO and S3Proxy): of racing writers at most one gets {@code true}. {@code false}:
     * the object exists, or another conditional write of it is still in flight (read it or try again).
     */
    boolean putIfAbsent(String key, byte[] data, String contentType);

    /**
     * Replaces {@code key} only if it is still the version read as {@code etag} ({@code If-Match},
     * atomic on AWS S3, MinIO and S3Proxy): of writers racing from one version at most one gets the
     * ETag of the version it wrote, so it can go on from that version without reading it back. Empty:
     * another write came first, or the object is gone.
     */
    Optional<String> replaceIfMatch(String key, byte[] data, String contentType, String etag);

    Optional<StoredObject> get(String key);

    /** The object with the ETag of the version read, for a {@link #replaceIfMatch}; empty when there is none. */
    Optional<VersionedObject> getVersioned(String key);

    /**
     * Opens {@code key} for reading as a stream, so a large object is never held whole: the caller
     * reads and closes it. Empty when there is no such object.
     */
    Optional<ObjectStream> open(String key);

    /**
     * Up to {@code length} bytes of {@code key} from {@code offset} (a ranged GET: fewer only at its
     * end); empty when there is no such object.
     */
    Optional<byte[]> read(String key, long offset, int length);

    /** Copies {@code from} to {@code to} inside the store (S3 CopyObject): the bytes never leave the server. */
    void copy(String from, String to);

    /** The object's size in bytes, without reading it; empty when there is no such object. */
    Optional<Long> size(String key);

    default boolean exists(String key) {
        return size(key).isPresent();
    }

    void delete(String key);

    /** The object's size and ETag, without reading it; empty when there is no such object. */
    Optional<ObjectVersion> version(String key);

    /**
     * Like {@link #read(String, long, int)}, of the version with {@code etag} only ({@code If-Match}):
     * empty when the object is gone or was replaced since that ETag was read.
     */
    Optional<byte[]> readVersion(String key, String etag, long offset, int length);

    /**
     * Copies {@code from} to {@code to} only while {@code from} is still the version with {@code etag}
     * ({@code x-amz-copy-source-if-match}); {@code false}, and nothing written, when it was replaced or removed.
     */
    boolean copyVersion(String from, String etag, String to);

    /** The keys under {@code prefix}, at every depth. */
    List<String> list(String prefix);

    /**
     * One page of the keys under {@code prefix}, at every depth, in lexicographic (UTF-8 byte) order as
     * S3 lists them: at most {@code limit}, all after {@code startAfter} (null: from the first). One
     * LIST request with {@code start-after} and {@code max-keys} per 1000 keys (S3's most per answer),
     * so a caller pages through a long listing without reading it whole; fewer than {@code limit}
     * means the listing ended.
     */
    List<String> list(String prefix, String startAfter, int limit);

    /** A URL that lets its holder PUT {@code key} without credentials until it expires. */
    URI presignedPut(String key, Duration validFor);

    /** A URL that lets its holder GET {@code key} without credentials until it expires. */
    URI presignedGet(String key, Duration validFor);

    /** What a stat tells about an object: its size and the ETag that names this version of it. */
    record ObjectVersion(long size, String etag) {}

    record StoredObject(byte[] data, String contentType) {}

    record VersionedObject(byte[] data, String contentType, String etag) {}

    /** An open object: its bytes, their count and the content type it was stored with. */
    record ObjectStream(InputStream data, long size, String contentType) implements Closeable {

        @Override
        public void close() throws IOException {
            data.close();
        }
    }
}
