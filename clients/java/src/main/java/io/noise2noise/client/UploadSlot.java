package io.noise2noise.client;

import java.net.URI;
import java.util.List;

/** What {@code POST /v1/uploads} opens: where to send the image (a presigned storage URL) and how to name it after. */
record UploadSlot(String uploadId, String method, URI url) {

    static final List<String> FIELDS = List.of("upload_id", "method", "url");

    static UploadSlot read(JsonFields slot) {
        return new UploadSlot(slot.requiredText("upload_id"), slot.requiredText("method"), slot.uri("url"));
    }
}
