package io.noise2noise.job;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Job ids are 128 random bits (URL-safe base64), so holding an id is what grants access to a job. */
public final class JobIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9_-]{22}");

    private JobIds() {}

    public static String newId() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    public static boolean isWellFormed(String id) {
        return id != null && WELL_FORMED.matcher(id).matches();
    }
}
