package io.noise2noise.worker.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The digest that ties a {@code model.onnx} to the SavedModel it was exported from: SHA-256 over the
 * lines {@code "<sha256 of file>  <path relative to saved_model/, '/'-separated>\n"} of every regular
 * file under {@code saved_model/}, sorted by path (what {@code sha256sum} prints).
 * {@code n2n_models.onnx_export.saved_model_digest} computes the same value in Python.
 */
final class SavedModelDigest {

    private SavedModelDigest() {}

    static String of(Path savedModel) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(savedModel)) {
            files = walk.filter(Files::isRegularFile)
                    .sorted((a, b) -> relative(savedModel, a).compareTo(relative(savedModel, b)))
                    .toList();
        }
        MessageDigest listing = sha256();
        for (Path file : files) {
            MessageDigest content = sha256();
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), content)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            String line = HexFormat.of().formatHex(content.digest()) + "  " + relative(savedModel, file) + "\n";
            listing.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(listing.digest());
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
