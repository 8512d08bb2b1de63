package io.ferry.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesQemuImgStyleOutput() {
        Object j = Json.parse("""
                {"virtual-size": 268435456, "format": "qcow2", "dirty-flag": false,
                 "format-specific": {"type": "qcow2", "data": {"bitmaps": [
                   {"flags": ["in-use", "auto"], "name": "cp\\u0031", "granularity": 65536}]}},
                 "big": 18446744073709551615, "pi": 3.5, "n": null}""");
        assertThat(Json.num(j, "virtual-size", 0)).isEqualTo(268435456L);
        assertThat(Json.str(j, "format")).isEqualTo("qcow2");
        Map<String, Object> data = Json.obj(Json.obj(j, "format-specific"), "data");
        Object bitmap = Json.list(data, "bitmaps").get(0);
        assertThat(Json.str(bitmap, "name")).isEqualTo("cp1");
        assertThat(Json.list(bitmap, "flags")).isEqualTo(List.of("in-use", "auto"));
        assertThat(Json.bool(j, "dirty-flag")).isFalse();
        assertThat(Json.str(j, "n")).isNull();
    }

    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1} x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesCheckpointXml() {
        CheckpointInfo c = Libvirt.parseCheckpoint("""
                <domaincheckpoint>
                  <name>cp2</name>
                  <parent><name>cp1</name></parent>
                  <creationTime>1700000000</creationTime>
                  <disks>
                    <disk name='vda' checkpoint='bitmap' bitmap='cp2'/>
                    <disk name='vdb' checkpoint='no'/>
                  </disks>
                </domaincheckpoint>""", "d");
        assertThat(c.name()).isEqualTo("cp2");
        assertThat(c.parent()).isEqualTo("cp1");
        assertThat(c.created().getEpochSecond()).isEqualTo(1700000000L);
        assertThat(c.disks()).containsExactly("vda");
    }
}
