package org.emodir.evo;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.emodir.run.AtomicFiles;

/**
 * Binary checkpoint of an {@link Nsga2} run, big-endian:
 * <pre>
 * long magic "EMONSGA2", int version
 * problem shape: int encoding ordinal, int genes, int objectives, int constraints
 * config: int N, long seed, int crossover kind, double probability, double eta|points,
 *         int mutation kind, double per-gene probability, double eta (0 for bit-flip)
 * int generation, long evaluations, long[4] xoshiro state
 * N rows of genes (BINARY: one byte each; REAL: double bits), N rows of objectives+constraints,
 * int[N] rank, double[N] crowding
 * long CRC32 of everything before it
 * </pre>
 * Rank and crowding are stored, not recomputed: survival computed them on the combined 2N
 * population, and the next tournament must see exactly those values for a resumed run to match.
 */
final class Nsga2Checkpoint {
    private static final long MAGIC = 0x454D4F4E53474132L; // "EMONSGA2"
    private static final int VERSION = 1;
    private static final int SBX = 1, UNIFORM = 2, NPOINT = 3;
    private static final int POLYNOMIAL = 1, BITFLIP = 2;

    private Nsga2Checkpoint() {}

    static void save(Nsga2 run, Path file) {
        writeAtomically(file, encode(run, file));
    }

    /** The whole state as bytes (CRC included); {@code source} names the destination in errors. */
    static byte[] encode(Nsga2 run, Path source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeBody(run, out);
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
        } catch (IOException e) {
            throw new CheckpointException(source, "cannot serialise state", e);
        }
        return bytes.toByteArray();
    }

    private static void writeBody(Nsga2 run, DataOutputStream out) throws IOException {
        BatchProblem problem = run.problem();
        Nsga2Config config = run.config();
        int n = run.populationSize();
        out.writeLong(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(problem.encoding().ordinal());
        out.writeInt(problem.genes());
        out.writeInt(problem.numObjectives());
        out.writeInt(problem.numConstraints());
        out.writeInt(n);
        out.writeLong(config.seed());
        writeCrossover(config.crossover(), out);
        writeMutation(config.mutation(), out);
        out.writeInt(run.generation);
        out.writeLong(run.evaluations);
        for (long s : run.rng.state()) {
            out.writeLong(s);
        }
        Population genes = run.genes;
        for (int row = 0; row < n; row++) {
            for (int g = 0; g < genes.genes(); g++) {
                if (genes.encoding() == Encoding.BINARY) {
                    out.writeByte(genes.bit(row, g));
                } else {
                    out.writeLong(Double.doubleToRawLongBits(genes.real(row, g)));
                }
            }
        }
        ObjectiveMatrix obj = run.objectives;
        for (int row = 0; row < n; row++) {
            for (int d = 0; d < obj.numObjectives(); d++) {
                out.writeLong(Double.doubleToRawLongBits(obj.objective(row, d)));
            }
            for (int c = 0; c < obj.numConstraints(); c++) {
                out.writeLong(Double.doubleToRawLongBits(obj.constraint(row, c)));
            }
        }
        for (int i = 0; i < n; i++) {
            out.writeInt(run.rank[i]);
        }
        for (int i = 0; i < n; i++) {
            out.writeLong(Double.doubleToRawLongBits(run.crowding[i]));
        }
    }

    private static void writeCrossover(Crossover crossover, DataOutputStream out) throws IOException {
        if (crossover instanceof SbxCrossover sbx) {
            out.writeInt(SBX);
            out.writeDouble(sbx.probability());
            out.writeDouble(sbx.eta());
        } else if (crossover instanceof UniformCrossover u) {
            out.writeInt(UNIFORM);
            out.writeDouble(u.probability());
            out.writeDouble(0);
        } else if (crossover instanceof NPointCrossover np) {
            out.writeInt(NPOINT);
            out.writeDouble(np.probability());
            out.writeDouble(np.points());
        }
    }

    private static void writeMutation(Mutation mutation, DataOutputStream out) throws IOException {
        if (mutation instanceof PolynomialMutation pm) {
            out.writeInt(POLYNOMIAL);
            out.writeDouble(pm.perGeneProbability());
            out.writeDouble(pm.eta());
        } else if (mutation instanceof BitFlipMutation bf) {
            out.writeInt(BITFLIP);
            out.writeDouble(bf.perGeneProbability());
            out.writeDouble(0);
        }
    }

    /** Readers see the old checkpoint or the complete new one, never a torn file (see {@link AtomicFiles}). */
    private static void writeAtomically(Path file, byte[] content) {
        try {
            AtomicFiles.writeBytes(file, content);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write", e);
        }
    }

    static Nsga2 load(Path file, BatchProblem problem) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "does not exist", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read", e);
        }
        return decode(content, file, problem);
    }

    /** Reads {@link #encode}'s bytes; {@code file} names their source in errors. */
    static Nsga2 decode(byte[] content, Path file, BatchProblem problem) {
        if (content.length < 8 + 4 + 8) {
            throw new CheckpointException(file, "truncated: " + content.length + " bytes");
        }
        CRC32 crc = new CRC32();
        crc.update(content, 0, content.length - 8);
        long stored = ByteBuffer.wrap(content, content.length - 8, 8).getLong();
        long magic = ByteBuffer.wrap(content, 0, 8).getLong();
        if (magic != MAGIC) {
            throw new CheckpointException(file, "not an NSGA-II checkpoint (bad magic)");
        }
        if (stored != crc.getValue()) {
            throw new CheckpointException(
                    file,
                    "corrupt: CRC32 mismatch (stored " + Long.toHexString(stored) + ", computed "
                            + Long.toHexString(crc.getValue()) + ")");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(content, 8, content.length - 16))) {
            return readBody(file, in, problem);
        } catch (EOFException e) {
            throw new CheckpointException(file, "truncated body", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot parse", e);
        }
    }

    private static Nsga2 readBody(Path file, DataInputStream in, BatchProblem problem) throws IOException {
        int version = in.readInt();
        if (version != VERSION) {
            throw new CheckpointException(file, "version " + version + ", this build reads " + VERSION);
        }
        int encoding = in.readInt();
        int genes = in.readInt();
        int objectives = in.readInt();
        int constraints = in.readInt();
        if (encoding != problem.encoding().ordinal()
                || genes != problem.genes()
                || objectives != problem.numObjectives()
                || constraints != problem.numConstraints()) {
            throw new CheckpointException(
                    file,
                    "saved for a problem with encoding #" + encoding + ", " + genes
                            + " genes, " + objectives + " objectives, " + constraints + " constraints; given "
                            + problem.encoding() + ", " + problem.genes() + ", " + problem.numObjectives() + ", "
                            + problem.numConstraints());
        }
        int n = in.readInt();
        long seed = in.readLong();
        Crossover crossover = readCrossover(file, in);
        Mutation mutation = readMutation(file, in);
        Nsga2Config config;
        try {
            config = new Nsga2Config(n, seed, crossover, mutation);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "invalid configuration: " + e.getMessage(), e);
        }
        Nsga2 run = new Nsga2(problem, config, false);
        run.generation = in.readInt();
        run.evaluations = in.readLong();
        long[] state = {in.readLong(), in.readLong(), in.readLong(), in.readLong()};
        try {
            run.rng = Rng.fromState(state);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage(), e);
        }
        Population pop = run.genes;
        for (int row = 0; row < n; row++) {
            for (int g = 0; g < genes; g++) {
                if (pop.encoding() == Encoding.BINARY) {
                    int bit = in.readByte();
                    if (bit != 0 && bit != 1) {
                        throw new CheckpointException(
                                file,
                                "gene " + g + " of individual " + row + " is " + bit + ", a mask gene must be 0 or 1");
                    }
                    pop.setBit(row, g, bit);
                } else {
                    pop.setReal(row, g, Double.longBitsToDouble(in.readLong()));
                }
            }
        }
        ObjectiveMatrix obj = run.objectives;
        for (int row = 0; row < n; row++) {
            for (int d = 0; d < objectives; d++) {
                obj.setObjective(row, d, Double.longBitsToDouble(in.readLong()));
            }
            for (int c = 0; c < constraints; c++) {
                obj.setConstraint(row, c, Double.longBitsToDouble(in.readLong()));
            }
        }
        for (int i = 0; i < n; i++) {
            run.rank[i] = in.readInt();
        }
        for (int i = 0; i < n; i++) {
            run.crowding[i] = Double.longBitsToDouble(in.readLong());
        }
        if (in.available() != 0) {
            throw new CheckpointException(file, in.available() + " unexpected trailing bytes");
        }
        return run;
    }

    private static Crossover readCrossover(Path file, DataInputStream in) throws IOException {
        int kind = in.readInt();
        double p = in.readDouble();
        double param = in.readDouble();
        try {
            return switch (kind) {
                case SBX -> new SbxCrossover(p, param);
                case UNIFORM -> new UniformCrossover(p);
                case NPOINT -> new NPointCrossover(p, (int) param);
                default -> throw new CheckpointException(file, "unknown crossover kind " + kind);
            };
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "invalid crossover: " + e.getMessage(), e);
        }
    }

    private static Mutation readMutation(Path file, DataInputStream in) throws IOException {
        int kind = in.readInt();
        double p = in.readDouble();
        double eta = in.readDouble();
        try {
            return switch (kind) {
                case POLYNOMIAL -> new PolynomialMutation(p, eta);
                case BITFLIP -> new BitFlipMutation(p);
                default -> throw new CheckpointException(file, "unknown mutation kind " + kind);
            };
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "invalid mutation: " + e.getMessage(), e);
        }
    }
}
