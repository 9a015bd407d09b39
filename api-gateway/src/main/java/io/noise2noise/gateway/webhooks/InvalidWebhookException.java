package io.noise2noise.gateway.webhooks;

/** A webhook URL the gateway will not call ({@link WebhookTargets#check}), and why. */
public class InvalidWebhookException extends RuntimeException {

    public enum Reason {
        /** Too long, malformed, not http(s), with credentials, or an internal host or a port not allowed. */
        NOT_ALLOWED,
        /** The host does not resolve: a submission refuses it, a delivery retries it (it may be a passing DNS fault). */
        UNRESOLVED
    }

    private final Reason reason;

    InvalidWebhookException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
