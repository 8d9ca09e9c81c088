package org.emodir.evo;

/** How one gene is stored in a {@link Population} row. */
public enum Encoding {
    /** One byte per gene holding 0 or 1 (a channel mask: 1 = channel kept). */
    BINARY(1),
    /** One native-order float64 per gene (standard real-valued benchmark problems). */
    REAL(8);

    public final int bytesPerGene;

    Encoding(int bytesPerGene) {
        this.bytesPerGene = bytesPerGene;
    }
}
