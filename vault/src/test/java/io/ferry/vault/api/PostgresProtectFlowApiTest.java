package io.ferry.vault.api;

import io.ferry.vault.VaultConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole protect / unprotect flow with the vault on PostgreSQL (`ferry vault --database jdbc:postgresql:…`). */
class PostgresProtectFlowApiTest extends ProtectFlowApiTest {
    private EmbeddedPostgres pg;

    @Override
    VaultConfig configure(VaultConfig base) throws IOException {
        pg = EmbeddedPostgres.builder().start();
        return base.withDatabase(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
    }

    @Override
    void afterVault() throws IOException {
        assertThat(vault.store().vendor()).isEqualTo("postgresql");
        if (pg != null) pg.close();
    }
}
