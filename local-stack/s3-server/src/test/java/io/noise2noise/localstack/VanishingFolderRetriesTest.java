package io.noise2noise.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The retries over S3Proxy's real filesystem store. The race itself (a removal deleting the folder
 * between the store's creating it and its temporary file) is microseconds wide and cannot be
 * scheduled from outside the store, so a store in between fails the way the store does in it: a
 * {@link NoSuchFileException}, thrown undeclared as S3Proxy throws it, or wrapped.
 */
class VanishingFolderRetriesTest {

    private static final String BUCKET = "bucket";
    private static final byte[] BODY = "the object's bytes".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path blobs;

    private BlobStore filesystem;

    @BeforeEach
    void bucket() {
        filesystem = new FilesystemNio2BlobStore(blobs.toString());
        filesystem.createContainer(BUCKET);
    }

    /** As S3Proxy throws it (undeclared), or wrapped. */
    @ParameterizedTest
    @CsvSource({"2, false", "1, true"})
    void aWriteWhoseFolderVanishedBeforeItReadAByteIsWrittenOnALaterAttempt(int failures, boolean wrapped)
            throws IOException {
        FailingWrites failing = new FailingWrites(filesystem, failures, 0, wrapped);

        new VanishingFolderRetries(failing).putBlob(put("a/b/key"), new ByteArrayInputStream(BODY));

        assertThat(failing.attempts).isEqualTo(failures + 1);
        assertThat(stored("a/b/key")).isEqualTo(BODY);
    }

    @Test
    void aWriteThatHadReadItsBodyIsNotTriedAgain() {
        FailingWrites failing = new FailingWrites(filesystem, 1, 4, false);

        assertThatThrownBy(
                        () -> new VanishingFolderRetries(failing).putBlob(put("key"), new ByteArrayInputStream(BODY)))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(failing.attempts).isEqualTo(1);
        assertThat(filesystem.blobExists(BUCKET, "key")).isFalse();
    }

    @Test
    void triesAreBounded() {
        FailingWrites failing = new FailingWrites(filesystem, Integer.MAX_VALUE, 0, false);

        assertThatThrownBy(
                        () -> new VanishingFolderRetries(failing).putBlob(put("key"), new ByteArrayInputStream(BODY)))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(failing.attempts).isEqualTo(VanishingFolderRetries.ATTEMPTS);
    }

    @Test
    void otherFailuresAreNotTriedAgain() {
        BlobStore refusing = new ForwardingBlobStore(filesystem) {
            @Override
            public software.amazon.awssdk.services.s3.model.PutObjectResponse putBlob(
                    PutObjectRequest request, InputStream data) {
                throw new IllegalStateException("disk full");
            }
        };

        assertThatThrownBy(
                        () -> new VanishingFolderRetries(refusing).putBlob(put("key"), new ByteArrayInputStream(BODY)))
                .hasMessage("disk full");
    }

    @Test
    void aCopyIsTriedAgain() throws IOException {
        filesystem.putBlob(put("source"), new ByteArrayInputStream(BODY));
        FailingWrites failing = new FailingWrites(filesystem, 1, 0, false);

        new VanishingFolderRetries(failing)
                .copyBlob(CopyObjectRequest.builder()
                        .sourceBucket(BUCKET)
                        .sourceKey("source")
                        .destinationBucket(BUCKET)
                        .destinationKey("c/copy")
                        .build());

        assertThat(failing.attempts).isEqualTo(2);
        assertThat(stored("c/copy")).isEqualTo(BODY);
    }

    private static PutObjectRequest put(String key) {
        return PutObjectRequest.builder()
                .bucket(BUCKET)
                .key(key)
                .contentLength((long) BODY.length)
                .build();
    }

    private byte[] stored(String key) throws IOException {
        try (InputStream in = filesystem.getBlob(BUCKET, key)) {
            return in.readAllBytes();
        }
    }

    /** Fails its first {@code failures} writes after reading {@code bytesRead} bytes of the body, then writes. */
    private static final class FailingWrites extends ForwardingBlobStore {
        private int failures;
        private final int bytesRead;
        private final boolean wrapped;
        int attempts;

        FailingWrites(BlobStore delegate, int failures, int bytesRead, boolean wrapped) {
            super(delegate);
            this.failures = failures;
            this.bytesRead = bytesRead;
            this.wrapped = wrapped;
        }

        @Override
        public software.amazon.awssdk.services.s3.model.PutObjectResponse putBlob(
                PutObjectRequest request, InputStream data) {
            attempts++;
            if (failures-- > 0) {
                read(data);
                throw vanished(request.key());
            }
            return super.putBlob(request, data);
        }

        @Override
        public software.amazon.awssdk.services.s3.model.CopyObjectResponse copyBlob(CopyObjectRequest request) {
            attempts++;
            if (failures-- > 0) {
                throw vanished(request.destinationKey());
            }
            return super.copyBlob(request);
        }

        private void read(InputStream data) {
            try {
                data.readNBytes(bytesRead);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private RuntimeException vanished(String key) {
            NoSuchFileException failure = new NoSuchFileException(key + "-tmp");
            return wrapped
                    ? new RuntimeException(failure)
                    : VanishingFolderRetriesTest.<RuntimeException>undeclared(failure);
        }
    }

    /** Throws a checked exception without declaring it, as S3Proxy's store does. */
    @SuppressWarnings("unchecked")
    private static <T extends Exception> T undeclared(Exception failure) throws T {
        throw (T) failure;
    }
}
