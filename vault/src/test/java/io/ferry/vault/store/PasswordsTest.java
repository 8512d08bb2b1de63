package io.ferry.vault.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordsTest {
  @Test
  void aHashVerifiesItsPasswordOnly() {
    String hash = Passwords.hash("correct horse".toCharArray());
    assertThat(hash).matches("pbkdf2-sha256\\$210000\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(Passwords.verify("correct horse".toCharArray(), hash)).isTrue();
    assertThat(Passwords.verify("correct horse!".toCharArray(), hash)).isFalse();
    assertThat(Passwords.needsRehash(hash)).isFalse();
  }

  @Test
  void everyHashHasItsOwnSalt() {
    String a = Passwords.hash("same".toCharArray());
    String b = Passwords.hash("same".toCharArray());
    assertThat(a).isNotEqualTo(b);
    assertThat(a.split("\\$")[2]).isNotEqualTo(b.split("\\$")[2]);
  }

  @Test
  void malformedHashesNeverVerify() {
    for (String bad : new String[] {null, "", "plain", "pbkdf2-sha256$x$a$b", "md5$1$a$b", "pbkdf2-sha256$1$!!$!!", "pbkdf2-sha256$0$YQ$YQ"}) {
      assertThat(Passwords.verify("pw".toCharArray(), bad)).as(String.valueOf(bad)).isFalse();
    }
    assertThat(Passwords.needsRehash("pbkdf2-sha256$1000$YQ$YQ")).isTrue();
    assertThat(Passwords.needsRehash("garbage")).isTrue();
  }

  @Test
  void olderCostsStillVerify() {
    // what a future Ferry with more iterations must still accept: the cost is read from the hash
    String hash = Passwords.hash("pw".toCharArray());
    assertThat(Passwords.verify("pw".toCharArray(), hash)).isTrue();
  }

  @Test
  void anEmptyPasswordHashes() {
    String hash = Passwords.hash(new char[0]);
    assertThat(Passwords.verify(new char[0], hash)).isTrue();
    assertThat(Passwords.verify("x".toCharArray(), hash)).isFalse();
  }
}
