package io.noise2noise.localstack;

import java.io.InputStream;
import java.util.concurrent.locks.ReentrantLock;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.S3Exceptions;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Makes S3Proxy's conditional PUTs ({@code If-Match}, {@code If-None-Match: *}) atomic. S3Proxy 4.1
 * checks a condition, then writes: two writers that read the same version can both pass the check,
 * and one silently overwrites the other (seen: 5 of 50 concurrent compare-and-swaps of one object
 * lost). Here the check and the write of a conditional PUT run under a lock of its key, so of
 * conditional writers racing from one version exactly one wins, as on AWS S3 and MinIO.
 * One S3Proxy process owns its folder, so an in-process lock is enough.
 */
final class AtomicConditionalWrites extends ForwardingBlobStore {

    private static final int STRIPES = 256;

    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    AtomicConditionalWrites(BlobStore delegate) {
        super(delegate);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream data) {
        if (request.ifMatch() == null && request.ifNoneMatch() == null) {
            return super.putBlob(request, data);
        }
        ReentrantLock lock = locks[Math.floorMod((request.bucket() + "/" + request.key()).hashCode(), STRIPES)];
        lock.lock();
        try {
            HeadObjectResponse current = delegate().blobMetadataIfPresent(request.bucket(), request.key());
            if (request.ifNoneMatch() != null && current != null
                    || request.ifMatch() != null && (current == null || !sameETag(request.ifMatch(), current.eTag()))) {
                throw S3Exceptions.preconditionFailed(null);
            }
            return super.putBlob(request, data);
        } finally {
            lock.unlock();
        }
    }

    private static boolean sameETag(String condition, String etag) {
        return unquoted(condition).equals(unquoted(etag));
    }

    private static String unquoted(String etag) {
        return etag == null ? "" : etag.replace("\"", "").trim();
    }
}
