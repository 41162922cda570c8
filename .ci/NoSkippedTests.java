import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The full test tier's last word on a module: fails when any JUnit report this build wrote counts a
 * skipped test (an assumption that did not hold, a disabled test), or a skipped-tests ledger
 * (protocol-tests' SkippedTestsLedger, which also sees classes aborted in {@code @BeforeAll}: surefire
 * reports those as "Tests run: 0") lists one, naming each with its reason. Surefire itself reports
 * skips as a success, so without this a CI machine that lacks a tool would pass by checking less.
 *
 * <p>Run by the {@code full} profile of the root pom in {@code verify}, as a single-file program:
 * {@code java .ci/NoSkippedTests.java <build-start, ISO-8601 UTC> <dir>...}, each dir holding
 * {@code TEST-*.xml} reports or {@code skipped-*.txt} ledgers. Files older than the build start are
 * left alone (an earlier run's leftovers, e.g. of the fast tier).
 */
public class NoSkippedTests {

  public static void main(String[] args) throws Exception {
    Instant buildStart = Instant.parse(args[0]);
    List<String> skipped = new ArrayList<>();
    int checked = 0;
    for (int i = 1; i < args.length; i++) {
      Path dir = Path.of(args[i]);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          String name = file.getFileName().toString();
          boolean report = name.startsWith("TEST-") && name.endsWith(".xml");
          boolean ledger = name.startsWith("skipped-") && name.endsWith(".txt");
          // Whole seconds: the build start is known to the second.
          if ((!report && !ledger)
              || Files.getLastModifiedTime(file).toInstant().getEpochSecond()
                  < buildStart.getEpochSecond()) {
            continue;
          }
          checked++;
          if (report) {
            skipped.addAll(skippedIn(file.toFile()));
          } else {
            Files.readAllLines(file).stream().filter(l -> !l.isBlank()).forEach(skipped::add);
          }
        }
      }
    }
    String where = String.join(", ", List.of(args).subList(1, args.length));
    if (!skipped.isEmpty()) {
      System.err.println(
          "[full tier] "
              + skipped.size()
              + " skipped test(s) or class(es) in "
              + where
              + "; the full tier runs every test, so this build fails:");
      skipped.forEach(line -> System.err.println("  - " + line));
      System.err.println(
          "Install what they name (.ci/run does it on Debian), or run the fast tier (without"
              + " -Pfull), which may skip.");
      System.exit(1);
    }
    System.out.println("[full tier] no skipped tests in " + checked + " file(s) in " + where);
  }

  private static List<String> skippedIn(File report) throws Exception {
    Element suite =
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report).getDocumentElement();
    List<String> found = new ArrayList<>();
    NodeList cases = suite.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element testcase = (Element) cases.item(i);
      NodeList marks = testcase.getElementsByTagName("skipped");
      if (marks.getLength() > 0) {
        String message = ((Element) marks.item(0)).getAttribute("message");
        found.add(
            testcase.getAttribute("classname")
                + "#"
                + testcase.getAttribute("name")
                + ": "
                + (message.isEmpty() ? "(no reason given)" : message));
      }
    }
    String total = suite.getAttribute("skipped");
    if (found.isEmpty() && !total.isEmpty() && !"0".equals(total)) {
      found.add(report.getName() + ": skipped=" + total);
    }
    return found;
  }
}
