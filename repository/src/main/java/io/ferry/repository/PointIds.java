package io.ferry.repository;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Point ids: UTC time to the millisecond plus 4 random hex digits, e.g. {@code 20261123T163501123Z-3f9a}; lexical order is time order. */
final class PointIds {
  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern ID = Pattern.compile("\\d{8}T\\d{9}Z-[0-9a-f]{4}");

  private PointIds() {}

  static String newId(Instant createdAt) {
    return FORMAT.format(createdAt) + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
  }

  static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }
}
