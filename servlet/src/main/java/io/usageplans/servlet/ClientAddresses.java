package io.usageplans.servlet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.usageplans.UsagePlansConfigException;
import io.usageplans.config.Setting;
import io.usageplans.config.Settings;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Who a caller without a key is: its client address. The connection's peer, unless the peer is a trusted proxy
 * ({@value #TRUSTED_PROXIES}); then the right-most hop of the proxy header ({@value #HEADER}: {@code X-Forwarded-For}
 * or RFC 7239 {@code Forwarded}) that is not itself a trusted proxy. A header from any other peer is never read, and a
 * malformed or obfuscated hop ({@code unknown}, {@code _hidden}) gives the peer's own address. IPv6 addresses are
 * grouped by their first {@value #IPV6_PREFIX} bits (default 64), so one client cannot rotate through its own block.
 * Addresses are parsed as literals only: nothing here asks DNS.
 */
public final class ClientAddresses {

    /** Comma-separated addresses or CIDR blocks of the proxies in front of the application; none by default. */
    public static final String TRUSTED_PROXIES = "usageplans.trusted-proxies";
    /** The header trusted proxies write the chain to: {@code X-Forwarded-For} (default) or {@code Forwarded}. */
    public static final String HEADER = "usageplans.client-address-header";
    /** The bits of an IPv6 address that name one client: 64 by default, 1 to 128. */
    public static final String IPV6_PREFIX = "usageplans.client-ipv6-prefix";

    /** The longest chain read, in hops; a longer one is not a chain any proxy wrote, and gives the peer's address. */
    static final int MAX_HOPS = 32;

    private final List<Cidr> trusted;
    private final boolean forwarded;
    private final String headerName;
    private final int ipv6Prefix;

    ClientAddresses(List<Cidr> trusted, String headerName, int ipv6Prefix) {
        this.trusted = List.copyOf(trusted);
        this.headerName = headerName;
        this.forwarded = headerName.equalsIgnoreCase("Forwarded");
        this.ipv6Prefix = ipv6Prefix;
    }

    /** No trusted proxy, IPv6 by /64: the default. */
    public static ClientAddresses defaults() {
        return new ClientAddresses(List.of(), "X-Forwarded-For", 64);
    }

    /**
     * Reads the three settings.
     *
     * @throws UsagePlansConfigException naming the setting, where it came from, the entry and the value
     */
    public static ClientAddresses fromSettings(Settings settings) {
        List<Cidr> trusted = new ArrayList<>();
        Optional<Setting> proxies = settings.find(TRUSTED_PROXIES);
        List<UsagePlansConfigException> problems = new ArrayList<>();
        if (proxies.isPresent()) {
            String[] entries = proxies.get().value().split(",");
            for (int i = 0; i < entries.length; i++) {
                String entry = entries[i].trim();
                if (entry.isEmpty()) {
                    continue;
                }
                try {
                    trusted.add(Cidr.parse(entry));
                } catch (IllegalArgumentException e) {
                    problems.add(new UsagePlansConfigException(proxies.get().origin(), TRUSTED_PROXIES + "[" + i + "]", 0,
                            "'" + entry + "' " + e.getMessage() + "; list addresses or CIDR blocks like 10.0.0.0/8, "
                            + "192.168.1.7, 2001:db8::/32, separated by commas"));
                }
            }
        }
        String header = "X-Forwarded-For";
        Optional<Setting> headerSetting = settings.find(HEADER);
        if (headerSetting.isPresent()) {
            String value = headerSetting.get().value();
            if (value.equalsIgnoreCase("Forwarded") || value.equalsIgnoreCase("X-Forwarded-For")) {
                header = value;
            } else {
                problems.add(new UsagePlansConfigException(headerSetting.get().origin(), HEADER, 0, "must be X-Forwarded-For "
                        + "or Forwarded (RFC 7239), the header your proxies write, was '" + value + "'"));
            }
        }
        int prefix = 64;
        Optional<Setting> prefixSetting = settings.find(IPV6_PREFIX);
        if (prefixSetting.isPresent()) {
            String value = prefixSetting.get().value();
            try {
                prefix = Integer.parseInt(value.startsWith("/") ? value.substring(1) : value);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 1 || prefix > 128) {
                problems.add(new UsagePlansConfigException(prefixSetting.get().origin(), IPV6_PREFIX, 0,
                        "must be a prefix length from 1 to 128 (64 groups each /64 network as one client), was '" + value + "'"));
            }
        }
        UsagePlansConfigException.throwIfAny(problems);
        return new ClientAddresses(trusted, header, prefix);
    }

    /** The identity of the caller of {@code request}: an IPv4 address, or an IPv6 prefix like {@code 2001:db8:0:1::/64}. */
    public String of(HttpServletRequest request) {
        String peer = request.getRemoteAddr();
        if (peer == null || peer.isEmpty()) {
            return null;
        }
        if (peer.length() > 2 && peer.charAt(0) == '[' && peer.charAt(peer.length() - 1) == ']') {
            peer = peer.substring(1, peer.length() - 1); // a container that writes IPv6 peers in brackets
        }
        byte[] peerBytes = trusted.isEmpty() && peer.indexOf(':') < 0 ? null : literal(peer);
        if (trusted.isEmpty() || peerBytes == null || !isTrusted(peerBytes)) {
            return peerBytes == null ? peer : identity(peerBytes);
        }
        List<String> hops = hops(request);
        if (hops == null) {
            return identity(peerBytes);
        }
        byte[] leftMost = peerBytes;
        for (int i = hops.size() - 1; i >= 0; i--) {
            byte[] hop = literal(hops.get(i));
            if (hop == null) {
                return identity(peerBytes); // malformed, obfuscated or unknown: nothing left of it can be trusted
            }
            if (!isTrusted(hop)) {
                return identity(hop);
            }
            leftMost = hop;
        }
        return identity(leftMost); // every hop a trusted proxy: the farthest one is the caller
    }

    /** The hops of the proxy header, left to right, host only; null when there is none or it is malformed. */
    private List<String> hops(HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders(headerName);
        if (values == null) {
            return null;
        }
        List<String> hops = new ArrayList<>();
        while (values.hasMoreElements()) {
            String value = values.nextElement();
            if (value == null) {
                continue;
            }
            for (String element : value.split(",", -1)) {
                if (hops.size() >= MAX_HOPS) {
                    return null;
                }
                String host = forwarded ? forwardedFor(element) : stripPort(element.trim());
                if (host == null || host.isEmpty()) {
                    return null;
                }
                hops.add(host);
            }
        }
        return hops.isEmpty() ? null : hops;
    }

    /** The host of the {@code for} parameter of one RFC 7239 element; null if it has none or it is malformed. */
    static String forwardedFor(String element) {
        String found = null;
        for (String pair : element.split(";", -1)) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                return null;
            }
            String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = pair.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            } else if (value.contains("\"")) {
                return null;
            }
            if (name.equals("for")) {
                if (found != null) {
                    return null; // two for= in one element: not what a proxy writes
                }
                found = stripPort(value);
                if (found == null) {
                    return null;
                }
            }
        }
        return found;
    }

    /** {@code 192.0.2.1:8080} → {@code 192.0.2.1}, {@code [2001:db8::1]:443} → {@code 2001:db8::1}; null if malformed. */
    static String stripPort(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0 || (close + 1 < host.length() && host.charAt(close + 1) != ':')) {
                return null;
            }
            return host.substring(1, close);
        }
        int colon = host.indexOf(':');
        if (colon >= 0 && host.indexOf(':', colon + 1) < 0) {
            return host.substring(0, colon); // one colon: IPv4 with a port
        }
        return host;
    }

    private boolean isTrusted(byte[] address) {
        for (Cidr cidr : trusted) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private String identity(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
        }
        byte[] masked = Cidr.mask(address, ipv6Prefix);
        try {
            String text = InetAddress.getByAddress(masked).getHostAddress();
            return (ipv6Prefix == 128 ? text : text + "/" + ipv6Prefix);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes are always an address
        }
    }

    /**
     * The bytes of an IPv4 or IPv6 literal (4 or 16; an IPv4-mapped IPv6 address gives 4), or null when {@code text} is
     * not one. Never a DNS lookup: only digits, hex digits, dots and colons get as far as {@link InetAddress}.
     */
    static byte[] literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            return ipv4(text);
        }
        if (Character.digit(text.charAt(0), 16) < 0 && text.charAt(0) != ':') {
            return null; // InetAddress would take it for a host name
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                return null;
            }
        }
        try {
            InetAddress address = InetAddress.getByName(text); // a literal with a colon: parsed, never resolved
            return address instanceof Inet6Address || address.getAddress().length == 4 ? address.getAddress() : null;
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                char c = part.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    /** An address or a CIDR block of trusted proxies. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            byte[] address = literal(host);
            if (address == null) {
                throw new IllegalArgumentException("is not an IP address or CIDR block: '" + host + "' is not an IPv4 or IPv6 address");
            }
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String length = text.substring(slash + 1);
                try {
                    prefix = Integer.parseInt(length);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("is not a CIDR block: the prefix length '" + length + "' is not a number");
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("is not a CIDR block: the prefix length must be 0 to " + bits
                            + " for this address, was " + prefix);
                }
            }
            return new Cidr(mask(address, prefix), prefix);
        }

        boolean contains(byte[] address) {
            return address.length == network.length && java.util.Arrays.equals(mask(address, prefix), network);
        }

        static byte[] mask(byte[] address, int prefix) {
            byte[] masked = address.clone();
            for (int i = 0; i < masked.length; i++) {
                int keep = Math.max(0, Math.min(8, prefix - i * 8));
                masked[i] = (byte) (masked[i] & (0xff00 >> keep));
            }
            return masked;
        }
    }
}
