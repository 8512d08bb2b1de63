package io.ferry.vault.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
  @Test
  void idsArePrefixedRandomHex() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = Ids.newId("job");
      assertThat(id).matches("job-[0-9a-f]{12}");
      assertThat(seen.add(id)).isTrue();
    }
    assertThat(Ids.orNew("given", "x")).isEqualTo("given");
    assertThat(Ids.orNew(" ", "x")).startsWith("x-");
  }
}
