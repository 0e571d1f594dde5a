package io.ringway.testkit.fuzz;

import java.util.HexFormat;

/** Inputs printed so that a failing one can be pasted straight into a regression test. */
public final class Escape {

  private Escape() {
  }

  /**
   * A Java string literal whose chars are the bytes read as ISO-8859-1:
   * {@code "PROXY TCP4 \u0000\r\n"}; turn it back with {@code .getBytes(StandardCharsets.ISO_8859_1)}.
   */
  public static String javaLiteral(byte[] bytes) {
    return '"' + escape(bytes, true, "\\u%04x") + '"';
  }

  /** One readable line for a report: printable ASCII kept, CR/LF/HTAB/backslash escaped, other bytes as {@code \xNN}. */
  public static String readable(byte[] bytes) {
    return escape(bytes, false, "\\x%02x");
  }

  private static String escape(byte[] bytes, boolean quote, String otherByte) {
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      switch (c) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c == '"' && quote) {
            out.append("\\\"");
          } else if (c >= 0x20 && c < 0x7f) {
            out.append((char) c);
          } else {
            out.append(String.format(otherByte, c));
          }
        }
      }
    }
    return out.toString();
  }

  /** Lower-case hex, for {@code HexFormat.of().parseHex(...)}. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
