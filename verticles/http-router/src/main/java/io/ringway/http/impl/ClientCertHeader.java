package io.ringway.http.impl;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * A verified client certificate as one header value, in Envoy's {@code x-forwarded-client-cert} element format:
 * {@code Hash=<sha256 of the DER, hex>;Subject="<RFC 2253 subject>";URI=<san>;DNS=<san>;Email=<san>}, one
 * {@code URI}/{@code DNS}/{@code Email} pair per SAN entry of that kind. Values holding {@code , ; = "} are quoted,
 * a quote inside escaped with a backslash.
 */
final class ClientCertHeader {

  private static final int SAN_EMAIL = 1;
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  private ClientCertHeader() {
  }

  static String value(X509Certificate certificate) {
    StringBuilder value = new StringBuilder("Hash=").append(sha256(certificate));
    value.append(";Subject=\"").append(escape(certificate.getSubjectX500Principal().getName())).append('"');
    try {
      var sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          String key = switch (san.get(0) instanceof Integer type ? type : -1) {
            case SAN_URI -> "URI";
            case SAN_DNS -> "DNS";
            case SAN_EMAIL -> "Email";
            default -> null;
          };
          if (key != null) {
            value.append(';').append(key).append('=').append(quoted(san.get(1).toString()));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // A SAN extension the JDK cannot parse: the hash and subject still say who it is.
    }
    return value.toString();
  }

  private static String quoted(String text) {
    return text.chars().anyMatch(c -> c == ',' || c == ';' || c == '=' || c == '"') ? "\"" + escape(text) + "\"" : text;
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot hash a client certificate", e);
    }
  }
}
