// LuceneBench is the Lucene baseline of the watwerkt benchmarks: Lucene's
// DutchAnalyzer and its default similarity (BM25), out of the box. It
// speaks the same line protocol as the Go steps of bench/cmd/benchtable,
// which compiles it with javac against Debian's liblucene8-java and runs
// it once per build and once for the questions:
//
//   java LuceneBench build PASSAGES.tsv INDEXDIR
//   java LuceneBench query INDEXDIR -short F -long F -tput F [-rank-short F -rank-long F]
//        -passes N -clients 1,8,32 -duration 2s -runs N
//
// PASSAGES.tsv holds id, title, text; question files id, text (tabs and
// line breaks already replaced by spaces). The query flags are those of
// the Go query steps. Output, tab-separated:
//
//   build NANOS INDEXBYTES DOCS
//   rank FORM ID DOC1 DOC2 ...        (the rank files, searched first)
//   lat FORM 0 PASS ID NANOS          (pass 0, the warm-up, only without rank files)
//   tput short CLIENTS QUERIES NANOS
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.QueryBuilder;

public class LuceneBench {
    public static void main(String[] args) throws Exception {
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        if (args.length == 3 && args[0].equals("build")) {
            build(Paths.get(args[1]), Paths.get(args[2]), out);
        } else if (args.length >= 2 && args.length % 2 == 0 && args[0].equals("query")) {
            Map<String, String> flags = new HashMap<>();
            for (int i = 2; i < args.length; i += 2) {
                flags.put(args[i], args[i + 1]);
            }
            query(Paths.get(args[1]), flags, out);
        } else {
            System.err.println("usage: LuceneBench build PASSAGES.tsv INDEXDIR | query INDEXDIR -flag value ...");
            System.exit(2);
        }
        out.flush();
    }

    static List<String[]> readTSV(Path p, int fields) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("\t", -1);
                if (f.length == fields) {
                    rows.add(f);
                }
            }
        }
        return rows;
    }

    // build indexes the passages. The file is read before the clock
    // starts, as the Go steps load their corpus before they time a build.
    static void build(Path passages, Path dir, PrintWriter out) throws IOException {
        List<String[]> rows = readTSV(passages, 3);
        long start = System.nanoTime();
        IndexWriterConfig cfg = new IndexWriterConfig(new DutchAnalyzer());
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        try (IndexWriter w = new IndexWriter(FSDirectory.open(dir), cfg)) {
            for (String[] r : rows) {
                Document d = new Document();
                d.add(new StringField("id", r[0], Field.Store.YES));
                d.add(new TextField("text", r[1] + "\n" + r[2], Field.Store.NO));
                w.addDocument(d);
            }
            w.commit();
        }
        long took = System.nanoTime() - start;
        long bytes;
        try (Stream<Path> s = Files.list(dir)) {
            bytes = s.mapToLong(f -> f.toFile().length()).sum();
        }
        out.printf("build\t%d\t%d\t%d%n", took, bytes, rows.size());
    }

    // search returns the ids of the top 10 for a question. The question is
    // analysed and searched as optional terms (QueryBuilder), so no word of
    // it is taken for query syntax.
    static String[] search(IndexSearcher s, QueryBuilder qb, String q) throws IOException {
        Query query = qb.createBooleanQuery("text", q);
        if (query == null) {
            query = new MatchNoDocsQuery();
        }
        TopDocs top = s.search(query, 10);
        String[] ids = new String[top.scoreDocs.length];
        for (int i = 0; i < ids.length; i++) {
            ScoreDoc sd = top.scoreDocs[i];
            ids[i] = s.doc(sd.doc).get("id");
        }
        return ids;
    }

    static List<String[]> questions(Map<String, String> flags, String name) throws IOException {
        String p = flags.get(name);
        return p == null || p.isEmpty() ? new ArrayList<>() : readTSV(Paths.get(p), 2);
    }

    // seconds parses a Go duration as the Go steps get it ("2s", "500ms",
    // "1m30s").
    static double seconds(String d) {
        Matcher m = Pattern.compile("([0-9.]+)(h|ms|m|s|us|µs|ns)").matcher(d);
        double total = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            switch (m.group(2)) {
                case "h": total += v * 3600; break;
                case "m": total += v * 60; break;
                case "s": total += v; break;
                case "ms": total += v / 1e3; break;
                case "us": case "µs": total += v / 1e6; break;
                default: total += v / 1e9;
            }
            end = m.end();
        }
        if (end != d.length() && !d.equals("0")) {
            throw new IllegalArgumentException("duration " + d);
        }
        return total;
    }

    static void query(Path dir, Map<String, String> flags, PrintWriter out) throws Exception {
        // Long questions have hundreds of distinct words.
        BooleanQuery.setMaxClauseCount(1 << 16);
        String[] forms = {"short", "long"};
        List<List<String[]>> rank = List.of(questions(flags, "-rank-short"), questions(flags, "-rank-long"));
        List<List<String[]>> timed = List.of(questions(flags, "-short"), questions(flags, "-long"));
        List<String[]> tput = questions(flags, "-tput");
        int passes = Integer.parseInt(flags.getOrDefault("-passes", "5"));
        int runs = Integer.parseInt(flags.getOrDefault("-runs", "5"));
        double secs = seconds(flags.getOrDefault("-duration", "2s"));
        Analyzer an = new DutchAnalyzer();
        QueryBuilder qb = new QueryBuilder(an);
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir))) {
            IndexSearcher s = new IndexSearcher(reader);
            // As in the Go steps: the first pass over the long questions may
            // take at most the budget; later passes time the same ones.
            long budget = (long) (seconds(flags.getOrDefault("-long-budget", "0s")) * 1e9);
            long rankBudget = (long) (seconds(flags.getOrDefault("-rank-budget", "0s")) * 1e9);
            for (int f = 0; f < forms.length; f++) {
                long start = System.nanoTime();
                List<String[]> qs = rank.get(f);
                for (int i = 0; i < qs.size(); i++) {
                    if (f == 1 && rankBudget > 0 && System.nanoTime() - start > rankBudget) {
                        out.printf("note\tranked only the first %d of %d long questions within the budget%n", i, qs.size());
                        break;
                    }
                    out.printf("rank\t%s\t%s\t%s%n", forms[f], qs.get(i)[0], String.join("\t", search(s, qb, qs.get(i)[1])));
                }
            }
            int[] limit = {timed.get(0).size(), timed.get(1).size()};
            int first = rank.get(0).isEmpty() && rank.get(1).isEmpty() ? 0 : 1;
            for (int pass = first; pass <= passes; pass++) {
                for (int f = 0; f < forms.length; f++) {
                    long start = System.nanoTime();
                    for (int i = 0; i < limit[f]; i++) {
                        String[] q = timed.get(f).get(i);
                        if (pass == first && f == 1 && budget > 0 && System.nanoTime() - start > budget) {
                            limit[f] = i;
                            out.printf("note\ttimed only the first %d of %d long questions (the first pass took over the budget)%n", i, timed.get(f).size());
                            break;
                        }
                        long t0 = System.nanoTime();
                        search(s, qb, q[1]);
                        long took = System.nanoTime() - t0;
                        out.printf("lat\t%s\t0\t%d\t%s\t%d%n", forms[f], pass, q[0], took);
                    }
                }
            }
            if (!tput.isEmpty()) {
                for (String c : flags.getOrDefault("-clients", "1,8,32").split(",")) {
                    int n = Integer.parseInt(c.trim());
                    for (int run = 0; run < runs; run++) {
                        throughput(s, an, tput, n, secs, out);
                    }
                }
            }
        }
    }

    static void throughput(IndexSearcher s, Analyzer an, List<String[]> qs, int n, double seconds, PrintWriter out)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        List<Future<Long>> done = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            final int first = c * qs.size() / n;
            done.add(pool.submit(() -> {
                QueryBuilder qb = new QueryBuilder(an);
                long count = 0;
                for (int i = first; System.nanoTime() < deadline; i++) {
                    search(s, qb, qs.get(i % qs.size())[1]);
                    count++;
                }
                return count;
            }));
        }
        long total = 0;
        for (Future<Long> f : done) {
            total += f.get();
        }
        long took = System.nanoTime() - start;
        pool.shutdown();
        out.printf("tput\tshort\t%d\t%d\t%d%n", n, total, took);
    }
}
