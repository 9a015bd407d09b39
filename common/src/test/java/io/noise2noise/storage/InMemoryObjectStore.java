package io.noise2noise.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An {@link ObjectStore} in memory, for tests that need the bucket's behaviour but no S3 server:
 * the same contract as {@link MinioObjectStore} ({@code ObjectStoreContract} runs against both).
 * ETags are the MD5 of the bytes, as S3 gives them for a single PUT, so rewriting identical bytes
 * keeps the ETag there and here. Every operation holds the store's lock, so conditional writes are
 * atomic. {@link #setUnavailable} makes every call fail as an unreachable server does.
 */
public class InMemoryObjectStore implements ObjectStore {

    private static final URI PRESIGN_BASE = URI.create("http://in-memory-store.invalid/n2n/");

    private record Stored(byte[] data, String contentType, String etag) {}

    private final Map<String, Stored> objects = new TreeMap<>();
    private boolean unavailable;

    /** While true, every call throws {@link StorageUnavailableException}, as when S3 cannot be reached. */
    public synchronized void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    @Override
    public synchronized void put(String key, byte[] data, String contentType) {
        checkAvailable("put " + key);
        objects.put(key, stored(data, contentType));
    }

    @Override
    public void put(String key, InputStream data, long size, String contentType) {
        byte[] bytes;
        try {
            bytes = data.readNBytes(Math.toIntExact(size));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length != size) {
            throw new StorageUnavailableException(
                    "S3 put " + key + " failed: the stream ended after " + bytes.length + " of " + size + " bytes",
                    null);
        }
        put(key, bytes, contentType);
    }

    @Override
    public synchronized boolean putIfAbsent(String key, byte[] data, String contentType) {
        checkAvailable("put if absent " + key);
        return objects.putIfAbsent(key, stored(data, contentType)) == null;
    }

    @Override
    public synchronized Optional<String> replaceIfMatch(String key, byte[] data, String contentType, String etag) {
        checkAvailable("replace " + key);
        if (!isVersion(objects.get(key), etag)) {
            return Optional.empty();
        }
        Stored replacement = stored(data, contentType);
        objects.put(key, replacement);
        return Optional.of(replacement.etag());
    }

    @Override
    public Optional<StoredObject> get(String key) {
        return getVersioned(key).map(object -> new StoredObject(object.data(), object.contentType()));
    }

    @Override
    public synchronized Optional<VersionedObject> getVersioned(String key) {
        checkAvailable("get " + key);
        return find(key).map(object -> new VersionedObject(object.data().clone(), object.contentType(), object.etag()));
    }

    @Override
    public synchronized Optional<ObjectStream> open(String key) {
        checkAvailable("open " + key);
        return find(key)
                .map(object -> new ObjectStream(
                        new ByteArrayInputStream(object.data()), object.data().length, object.contentType()));
    }

    @Override
    public synchronized Optional<byte[]> read(String key, long offset, int length) {
        checkAvailable("read " + key);
        return find(key).map(object -> range(object, offset, length));
    }

    @Override
    public synchronized void copy(String from, String to) {
        checkAvailable("copy " + from + " to " + to);
        Stored source = find(from)
                .orElseThrow(() ->
                        new StorageUnavailableException("S3 copy " + from + " to " + to + " failed: NoSuchKey", null));
        objects.put(to, source);
    }

    @Override
    public synchronized Optional<Long> size(String key) {
        checkAvailable("stat " + key);
        return find(key).map(object -> (long) object.data().length);
    }

    @Override
    public synchronized void delete(String key) {
        checkAvailable("delete " + key);
        objects.remove(key);
    }

    @Override
    public synchronized Optional<ObjectVersion> version(String key) {
        checkAvailable("stat " + key);
        return find(key).map(object -> new ObjectVersion(object.data().length, object.etag()));
    }

    @Override
    public synchronized Optional<byte[]> readVersion(String key, String etag, long offset, int length) {
        checkAvailable("read " + key);
        return find(key).filter(object -> isVersion(object, etag)).map(object -> range(object, offset, length));
    }

    @Override
    public synchronized boolean copyVersion(String from, String etag, String to) {
        checkAvailable("copy " + from + " to " + to);
        Stored source = objects.get(from);
        if (!isVersion(source, etag)) {
            return false;
        }
        objects.put(to, source);
        return true;
    }

    @Override
    public synchronized List<String> list(String prefix) {
        checkAvailable("list " + prefix);
        List<String> keys = new ArrayList<>();
        for (String key : objects.keySet()) {
            if (key.startsWith(prefix)) {
                keys.add(key);
            }
        }
        return keys;
    }

    @Override
    public URI presignedPut(String key, Duration validFor) {
        return presign("PUT", key, validFor);
    }

    @Override
    public URI presignedGet(String key, Duration validFor) {
        return presign("GET", key, validFor);
    }

    /** Names the method, object and lifetime, like a signed URL; nothing answers it. */
    private static URI presign(String method, String key, Duration validFor) {
        return PRESIGN_BASE.resolve(key + "?X-Amz-Method=" + method + "&X-Amz-Expires=" + validFor.toSeconds());
    }

    private Optional<Stored> find(String key) {
        return Optional.ofNullable(objects.get(key));
    }

    private void checkAvailable(String what) {
        if (unavailable) {
            throw new StorageUnavailableException(
                    "S3 " + what + " failed: the in-memory store is set unavailable", null);
        }
    }

    /** The MinIO client hands ETags out quoted from a GET and bare from a stat; either names the version. */
    private static boolean isVersion(Stored object, String etag) {
        return object != null && etag != null && object.etag().equals(etag.replace("\"", ""));
    }

    private static byte[] range(Stored object, long offset, int length) {
        int from = (int) Math.min(offset, object.data().length);
        return Arrays.copyOfRange(object.data(), from, (int) Math.min((long) from + length, object.data().length));
    }

    private static Stored stored(byte[] data, String contentType) {
        byte[] copy = data.clone();
        return new Stored(copy, contentType, md5(copy));
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
