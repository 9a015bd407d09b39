package io.noise2noise.localstack;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Keeps S3Proxy's filesystem store from failing a write into a folder that a removal is emptying.
 * S3 has no folders, but that store keeps one per key prefix: a write creates the folder, then its
 * temporary file there; a removal that leaves the folder empty deletes it. A write whose folder was
 * deleted between those two steps fails with {@link NoSuchFileException}, answered 500 (seen: 1–2 in
 * 600 writes racing removals under one prefix on a busy machine, and a job's marker written just as
 * the previous job's was deleted). Such a write has not read a byte of its body yet, so it is tried
 * again (the folder is created anew); one that fails after reading is not. No lock: a slow upload
 * holds up no other request.
 */
final class VanishingFolderRetries extends ForwardingBlobStore {

    /** The race's window is a few microseconds: a second attempt almost always succeeds. */
    static final int ATTEMPTS = 5;

    VanishingFolderRetries(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream data) {
        return withUnreadBody(data, body -> super.putBlob(request, body));
    }

    @Override
    public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request, InputStream data) {
        return withUnreadBody(data, body -> super.uploadMultipartPart(upload, request, body));
    }

    /** Reads stored objects only: trying again repeats nothing. */
    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        return retried(() -> super.copyBlob(request), () -> true);
    }

    /** The parts are removed only once the object is written: trying again repeats nothing. */
    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(
            MultipartUpload upload, CompleteMultipartUploadRequest request) {
        return retried(() -> super.completeMultipartUpload(upload, request), () -> true);
    }

    private static <T> T withUnreadBody(InputStream data, Function<InputStream, T> write) {
        CountingInputStream body = new CountingInputStream(data);
        return retried(() -> write.apply(body), () -> body.read == 0);
    }

    private static <T> T retried(Supplier<T> write, BooleanSupplier repeatable) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (Exception e) { // the store throws the NoSuchFileException itself, undeclared
                if (attempt == ATTEMPTS || !folderVanished(e) || !repeatable.getAsBoolean()) {
                    throw e;
                }
            }
        }
    }

    private static boolean folderVanished(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NoSuchFileException) {
                return true;
            }
        }
        return false;
    }

    private static final class CountingInputStream extends FilterInputStream {
        private long read;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                read += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            read += skipped;
            return skipped;
        }
    }
}
