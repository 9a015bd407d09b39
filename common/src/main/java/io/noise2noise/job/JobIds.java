package io.noise2noise.job;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Job ids are 128 random bits (URL-safe base64), so holding an id is what grants access to a job. None
 * begins with {@code -}: a command line would take it for an option ({@code n2n status -bZq…} failed).
 */
public final class JobIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9_-]{22}");

    private JobIds() {}

    public static String newId() {
        byte[] bits = new byte[16];
        String id;
        do { // 1 draw in 64 starts with '-' (its first 6 bits all ones): drawn again, at a cost of 0.02 bits
            RANDOM.nextBytes(bits);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        } while (id.charAt(0) == '-');
        return id;
    }

    public static boolean isWellFormed(String id) {
        return id != null && WELL_FORMED.matcher(id).matches();
    }
}
