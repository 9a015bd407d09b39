package io.noise2noise.localstack;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.Main;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * S3Proxy as {@code org.gaul.s3proxy.Main --properties FILE} starts it (same properties, same blob
 * store), with its conditional writes made atomic ({@link AtomicConditionalWrites}: the job records'
 * compare-and-swaps rely on them) and writes tried again when a removal emptied and deleted their
 * folder under them ({@link VanishingFolderRetries}).
 */
public final class S3Server {

    private S3Server() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !"--properties".equals(args[0])) {
            throw new IllegalArgumentException("usage: S3Server --properties FILE");
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            properties.load(in);
        }
        // S3Proxy's own construction of the store its properties name (private in its Main)
        Method createBlobStore = Main.class.getDeclaredMethod("createBlobStore", Properties.class);
        createBlobStore.setAccessible(true);
        BlobStore store = new AtomicConditionalWrites(
                new VanishingFolderRetries((BlobStore) createBlobStore.invoke(null, properties)));
        S3Proxy proxy =
                S3Proxy.Builder.fromProperties(properties).blobStore(store).build();
        proxy.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.stop();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
    }
}
