package org.emodir.evo;

/**
 * Binary n-point crossover: {@code points} distinct cut positions in {@code 1..genes-1} split
 * the pair into segments, and every second segment is swapped.
 */
public final class NPointCrossover implements Crossover {
    private final double probability;
    private final int points;
    private boolean[] scratch = new boolean[0]; // cut flags, resized once per gene count so generations make no garbage

    public NPointCrossover(double probability, int points) {
        if (!(probability >= 0 && probability <= 1) || points < 1) {
            throw new IllegalArgumentException(
                    "n-point crossover needs probability in [0,1] and points >= 1, got " + probability + ", " + points);
        }
        this.probability = probability;
        this.points = points;
    }

    public int points() {
        return points;
    }

    @Override
    public double probability() {
        return probability;
    }

    @Override
    public Encoding encoding() {
        return Encoding.BINARY;
    }

    @Override
    public void apply(Population pop, int[] mates, int pairs, int firstChild, GeneBounds bounds, Rng rng) {
        int genes = pop.genes();
        if (points > genes - 1) {
            throw new IllegalArgumentException(
                    points + "-point crossover needs at least " + (points + 1) + " genes, the population has " + genes);
        }
        if (scratch.length != genes) {
            scratch = new boolean[genes];
        }
        boolean[] isCut = scratch;
        for (int k = 0; k < pairs; k++) {
            int c1 = firstChild + 2 * k;
            int c2 = c1 + 1;
            pop.copyRow(mates[2 * k], pop, c1);
            pop.copyRow(mates[2 * k + 1], pop, c2);
            if (rng.nextDouble() > probability) {
                continue;
            }
            java.util.Arrays.fill(isCut, false);
            for (int chosen = 0; chosen < points; ) {
                int position = 1 + rng.nextInt(genes - 1);
                if (!isCut[position]) {
                    isCut[position] = true;
                    chosen++;
                }
            }
            boolean swap = false;
            for (int g = 0; g < genes; g++) {
                if (isCut[g]) {
                    swap = !swap;
                }
                if (swap) {
                    int a = pop.bit(c1, g);
                    pop.setBit(c1, g, pop.bit(c2, g));
                    pop.setBit(c2, g, a);
                }
            }
        }
    }
}
