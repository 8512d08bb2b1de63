package io.ferry.lab;

/**
 * What {@link RecordVerifier} found on a disk.
 *
 * @param records N: slots 0..N-1 hold valid records and slot N does not
 * @param ok      true iff no valid (or misplaced) record exists anywhere after slot N
 * @param problem why not ok (names the slot), or null
 */
public record VerifyResult(long records, boolean ok, String problem) {
    static VerifyResult good(long records) {
        return new VerifyResult(records, true, null);
    }

    @Override
    public String toString() {
        return ok ? "records=" + records + " ok" : "records=" + records + " BAD: " + problem;
    }
}
