package org.healthpredict.core.registry;

import java.util.Locale;

/** What an audit line records; written in lower case ("rolled_back"). */
public enum AuditAction {
  PROMOTED, REJECTED, APPROVED, ROLLED_BACK, PENDING;

  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static AuditAction fromJson(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
