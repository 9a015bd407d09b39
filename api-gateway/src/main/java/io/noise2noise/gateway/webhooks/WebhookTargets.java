package io.noise2noise.gateway.webhooks;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.jobs.SubmissionException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Which webhook URLs the gateway will call. Clients choose the URL, so without a check they could
 * make the gateway reach the internal network (SSRF): every address the host resolves to must be a
 * public one, unless private networks are explicitly allowed. Checked on submission and again
 * before each delivery, since DNS answers can change in between.
 */
@Component
public class WebhookTargets {

    private final boolean allowPrivateNetworks;
    private final int maxUrlLength;

    public WebhookTargets(GatewayProperties properties) {
        this.allowPrivateNetworks = properties.webhooks().allowPrivateNetworks();
        this.maxUrlLength = properties.webhooks().maxUrlLength();
    }

    /**
     * The URL to call, or a 422 saying why not; {@link UnresolvedHostException} when the host does
     * not resolve (now: a delivery retries that, a submission refuses it).
     */
    public URI check(String url) {
        if (url.length() > maxUrlLength) {
            throw refused("webhook URL is longer than " + maxUrlLength + " characters");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw refused("webhook is not a valid URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw refused("webhook must be an absolute http(s) URL");
        }
        if (uri.getUserInfo() != null) {
            throw refused("webhook must not carry credentials in the URL");
        }
        if (!allowPrivateNetworks) {
            try {
                for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                    if (isInternal(address)) {
                        throw refused("webhook host " + uri.getHost() + " resolves to a non-public address");
                    }
                }
            } catch (UnknownHostException e) {
                throw new UnresolvedHostException("webhook host " + uri.getHost() + " does not resolve");
            }
        }
        return uri;
    }

    static boolean isInternal(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        return first == 0 || first == 100 && second >= 64 && second < 128 // carrier-grade NAT 100.64/10
                || first == 192 && second == 0 && (bytes[2] & 0xff) == 0 // IETF 192.0.0/24
                || first == 198 && (second == 18 || second == 19); // benchmarking 198.18/15
    }

    /**
     * Which receiver a webhook goes to, for limiting deliveries under way to each: scheme, host and
     * port of the URL (the URL itself when it cannot be read).
     */
    static String receiver(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null) {
                return url;
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            return uri.getScheme() + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    private static SubmissionException refused(String message) {
        return new SubmissionException(HttpStatus.UNPROCESSABLE_ENTITY, message);
    }

    /** The host did not resolve: refused on submission, but may be a passing DNS fault when delivering. */
    public static final class UnresolvedHostException extends SubmissionException {
        UnresolvedHostException(String message) {
            super(HttpStatus.UNPROCESSABLE_ENTITY, message);
        }
    }
}
