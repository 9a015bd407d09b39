package io.noise2noise.gateway.webhooks;

import io.noise2noise.gateway.GatewayProperties;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hc.client5.http.DnsResolver;
import org.springframework.stereotype.Component;

/**
 * Which webhook URLs the gateway will call. Clients choose the URL, so without a check they could
 * make the gateway reach the internal network (SSRF): every address the host resolves to must be a
 * public one, on port 80, 443 or one of {@code extra-ports}, unless private networks are explicitly
 * allowed. Checked on submission and again before each delivery, since DNS answers can change in
 * between; a refusal says the same whatever the reason, so that it maps nothing of the network.
 */
@Component
public class WebhookTargets {

    /** The one answer for a host that is internal, does not resolve or is on a port not allowed: it tells nothing of the network. */
    static final String NOT_ALLOWED = notAllowed("webhook");

    private final boolean allowPrivateNetworks;
    private final int maxUrlLength;
    private final Set<Integer> ports;

    public WebhookTargets(GatewayProperties properties) {
        this.allowPrivateNetworks = properties.webhooks().allowPrivateNetworks();
        this.maxUrlLength = properties.webhooks().maxUrlLength();
        Set<Integer> allowed = new HashSet<>(List.of(80, 443));
        allowed.addAll(properties.webhooks().extraPorts());
        this.ports = Set.copyOf(allowed);
    }

    /**
     * The URL to call, or an {@link InvalidWebhookException} saying why not ({@code UNRESOLVED} when
     * the host does not resolve now: a delivery retries that, a submission refuses it).
     */
    public URI check(String url) {
        return check("webhook", url);
    }

    /**
     * {@link #check(String)} for any URL a client asks the gateway to reach (a webhook, an
     * {@code image_url}): the same rules, the refusals naming {@code field}.
     */
    public URI check(String field, String url) {
        if (url.length() > maxUrlLength) {
            throw refused(field + " URL is longer than " + maxUrlLength + " characters");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw refused(field + " is not a valid URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw refused(field + " must be an absolute http(s) URL");
        }
        if (uri.getUserInfo() != null) {
            throw refused(field + " must not carry credentials in the URL");
        }
        if (!allowPrivateNetworks) {
            if (!ports.contains(port(uri))) {
                throw refused(notAllowed(field));
            }
            try {
                vettedAddresses(uri.getHost());
            } catch (InternalAddressException e) {
                throw refused(notAllowed(field));
            } catch (UnknownHostException e) {
                throw new InvalidWebhookException(InvalidWebhookException.Reason.UNRESOLVED, notAllowed(field));
            }
        }
        return uri;
    }

    /** The one answer for a host that is internal, does not resolve or is on a port not allowed. */
    public static String notAllowed(String field) {
        return field + " must be a public host on an allowed port";
    }

    /**
     * What a delivery may connect to for {@code host}: every address it resolves to, once each is
     * vetted. Deliveries resolve through this (it is the HTTP client's resolver), so the address
     * connected to is one that was checked, whatever a later DNS answer says (DNS rebinding).
     *
     * @throws InternalAddressException when any address is internal (and private networks are not allowed)
     * @throws UnknownHostException     when the host does not resolve
     */
    public InetAddress[] vettedAddresses(String host) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        if (!allowPrivateNetworks) {
            for (InetAddress address : addresses) {
                if (isInternal(address)) {
                    throw new InternalAddressException();
                }
            }
        }
        return addresses;
    }

    /**
     * {@link #vettedAddresses} as an HTTP client's resolver: every outbound client of the gateway (webhook
     * deliveries, {@code image_url} fetches) connects only to addresses this vetted.
     */
    public DnsResolver resolver() {
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return vettedAddresses(host);
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
    }

    /**
     * Whether an address is anything but a public unicast one: loopback, private, CGNAT, link-local,
     * unique-local, multicast, reserved, benchmarking and documentation ranges, and every IPv6 form
     * that embeds an IPv4 address (mapped, compatible, NAT64, 6to4), judged by the IPv4 address it
     * embeds; Teredo and local-use NAT64 whole, since they reach IPv4 hosts through a relay.
     */
    static boolean isInternal(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 ? isInternalIpv4(bytes, 0) : isInternalIpv6(bytes);
    }

    private static boolean isInternalIpv4(byte[] bytes, int at) {
        int a = bytes[at] & 0xff;
        int b = bytes[at + 1] & 0xff;
        int c = bytes[at + 2] & 0xff;
        return a == 0
                || a == 10
                || a == 127
                || a >= 224 // this network, private, loopback, multicast, 240/4 reserved
                || a == 100 && b >= 64 && b < 128 // carrier-grade NAT 100.64/10
                || a == 169 && b == 254 // link-local, cloud metadata
                || a == 172 && b >= 16 && b < 32 // private 172.16/12
                || a == 192 && b == 168 // private 192.168/16
                || a == 192 && b == 0 && (c == 0 || c == 2) // IETF 192.0.0/24, documentation 192.0.2/24
                || a == 192 && b == 88 && c == 99 // 6to4 relay anycast
                || a == 198 && (b == 18 || b == 19) // benchmarking 198.18/15
                || a == 198 && b == 51 && c == 100 // documentation
                || a == 203 && b == 0 && c == 113; // documentation
    }

    private static boolean isInternalIpv6(byte[] bytes) {
        int first = (bytes[0] & 0xff) << 8 | bytes[1] & 0xff;
        int second = (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
        if (zeros(bytes, 0, 10) && (zeros(bytes, 10, 2) || (bytes[10] & bytes[11] & 0xff) == 0xff)) {
            return true; // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped): never public
        }
        if (first == 0x0064 && second == 0xff9b) {
            // NAT64 64:ff9b::/96 reaches the IPv4 address it ends with; 64:ff9b:1::/48 is local use
            return !zeros(bytes, 4, 8) || isInternalIpv4(bytes, 12);
        }
        if (first == 0x2002) {
            return isInternalIpv4(bytes, 2); // 6to4 2002:V4ADDR::/48
        }
        return first == 0x2001 && second == 0 // Teredo 2001::/32
                || first == 0x2001 && second == 0x0db8 // documentation 2001:db8::/32
                || first == 0x2001 && second == 0x0002 && bytes[4] == 0 && bytes[5] == 0 // benchmarking 2001:2::/48
                || first == 0x2001 && (second & 0xfff0) == 0x0010 // ORCHID 2001:10::/28
                || first == 0x2001 && (second & 0xfff0) == 0x0020 // ORCHIDv2 2001:20::/28
                || first == 0x0100 && second == 0 && zeros(bytes, 4, 4) // discard-only 100::/64
                || first == 0x3fff && (second & 0xf000) == 0 // documentation 3fff::/20
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (first & 0xff00) == 0xff00; // multicast ff00::/8
    }

    private static boolean zeros(byte[] bytes, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
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
            return uri.getScheme() + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port(uri);
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    }

    private static InvalidWebhookException refused(String message) {
        return new InvalidWebhookException(InvalidWebhookException.Reason.NOT_ALLOWED, message);
    }

    /** The host resolves to an internal address: to the HTTP client, a host it must not reach. */
    public static final class InternalAddressException extends UnknownHostException {
        InternalAddressException() {
            super(NOT_ALLOWED);
        }
    }
}
