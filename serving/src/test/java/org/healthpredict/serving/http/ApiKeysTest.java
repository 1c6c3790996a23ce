package org.healthpredict.serving.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void acceptsExactlyTheConfiguredKeys() {
    ApiKeys keys = ApiKeys.parse("alpha-123, beta-456,");
    assertThat(keys.size()).isEqualTo(2);
    assertThat(keys.accepts("alpha-123")).isTrue();
    assertThat(keys.accepts("beta-456")).isTrue();
    assertThat(keys.accepts("alpha-12")).isFalse();
    assertThat(keys.accepts("alpha-1234")).isFalse();
    assertThat(keys.accepts("")).isFalse();
    assertThat(keys.accepts(null)).isFalse();
  }

  @Test
  void noKeysConfiguredIsEmpty() {
    assertThat(ApiKeys.parse(null).isEmpty()).isTrue();
    assertThat(ApiKeys.parse(" , ").isEmpty()).isTrue();
  }

  @Test
  void keysNeverAppearInItsTextForm() {
    assertThat(ApiKeys.parse("secret-key-1").toString()).doesNotContain("secret-key-1");
  }
}
