import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Checks what a release would upload to Maven Central, as the central-publishing plugin staged it (run by
 * .ci/check-release, which stages it first): exactly the modules of .ci/published-modules, each with its POM, jar,
 * sources and javadoc jars, the Automatic-Module-Name it names, the license in every jar's META-INF, the metadata
 * Central requires, a BOM that lists every published module and nothing else, and no published module that needs an
 * unpublished one outside test scope. Prints every problem at once; exits 1 if there is any.
 *
 * <p>Usage: {@code java .ci/CheckRelease.java <repository root> <staged directory>}, where the staged directory
 * holds {@code io/usageplans/<artifactId>/<version>/} (target/central-deferred, or an unpacked central-bundle.zip).
 */
public class CheckRelease {

    private static final String GROUP = "io.usageplans";
    private static final List<String> problems = new ArrayList<>();
    /** Package to the module that has it, over every published main jar: a split package breaks the module path. */
    private static final Map<String, String> packages = new LinkedHashMap<>();

    record Module(String dir, String artifactId, String moduleName, List<String> classifiers) {
        boolean isJar() {
            return !moduleName.equals("-");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java .ci/CheckRelease.java <repository root> <staged directory>");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        Path staged = Path.of(args[1]).toAbsolutePath().normalize();
        List<Module> modules = readList(root.resolve(".ci/published-modules"));
        Map<String, Module> byId = new LinkedHashMap<>();
        modules.forEach(m -> byId.put(m.artifactId(), m));
        Set<String> jarIds = modules.stream().filter(Module::isJar).map(Module::artifactId)
                .collect(Collectors.toCollection(LinkedHashSet::new));

        Document rootPom = parse(root.resolve("pom.xml"));
        String version = text(rootPom.getDocumentElement(), "version");
        byte[] license = Files.readAllBytes(root.resolve("LICENSE"));
        byte[] notice = Files.readAllBytes(root.resolve("NOTICE"));

        // 1. Exactly the listed modules are staged: nothing else would be deployed.
        Path group = staged.resolve(GROUP.replace('.', '/'));
        Set<String> stagedIds = new TreeSet<>();
        if (Files.isDirectory(group)) {
            try (Stream<Path> s = Files.list(group)) {
                s.filter(Files::isDirectory).forEach(p -> stagedIds.add(p.getFileName().toString()));
            }
        } else {
            problems.add("nothing staged under " + group + ": did the release build run?");
        }
        for (String id : stagedIds) {
            if (!byId.containsKey(id)) {
                problems.add(id + " would be published, but is not in .ci/published-modules: list it there (and in "
                        + "bom/pom.xml), or set skipPublishing and maven.deploy.skip in its pom.xml");
            }
        }
        for (Module m : modules) {
            if (!stagedIds.contains(m.artifactId())) {
                problems.add(m.artifactId() + " is in .ci/published-modules but was not staged for publishing");
            }
        }

        // 2. Each module: its files, its POM, its jars.
        Map<String, Element> managedByParent = managedDependencies(rootPom.getDocumentElement());
        for (Module m : modules) {
            Path dir = group.resolve(m.artifactId()).resolve(version);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            int before = problems.size();
            String base = m.artifactId() + "-" + version;
            Set<String> expected = new TreeSet<>();
            expected.add(base + ".pom");
            if (m.isJar()) {
                expected.add(base + ".jar");
                expected.add(base + "-sources.jar");
                expected.add(base + "-javadoc.jar");
                m.classifiers().forEach(c -> expected.add(base + "-" + c + ".jar"));
            }
            Set<String> files = new TreeSet<>();
            Set<String> signatures = new TreeSet<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String name = p.getFileName().toString();
                    if (name.endsWith(".asc")) {
                        signatures.add(name.substring(0, name.length() - 4));
                    } else if (!name.matches(".*\\.(md5|sha1|sha256|sha512)") && !name.startsWith("maven-metadata")) {
                        files.add(name);
                    }
                }
            }
            if (!files.equals(expected)) {
                problems.add(m.artifactId() + ": staged " + files + ", expected " + expected);
            }
            if (!signatures.isEmpty() && !signatures.equals(files)) {
                problems.add(m.artifactId() + ": signed " + signatures + " but staged " + files);
            }

            Element pom = parse(dir.resolve(base + ".pom")).getDocumentElement();
            checkPom(m, pom, rootPom.getDocumentElement(), version, jarIds, managedByParent);
            if (m.isJar()) {
                checkJar(m, dir.resolve(base + ".jar"), true, license, notice, ".class");
                checkJar(m, dir.resolve(base + "-sources.jar"), false, license, notice, ".java");
                checkJar(m, dir.resolve(base + "-javadoc.jar"), false, license, notice, "overview-summary.html");
                for (String c : m.classifiers()) {
                    checkJar(m, dir.resolve(base + "-" + c + ".jar"), false, license, notice, ".class");
                }
            }
            if (problems.size() == before) {
                System.out.println("ok  " + m.artifactId() + ": " + files.stream()
                        .map(f -> f.equals(base + ".pom") ? "pom" : f.equals(base + ".jar") ? "jar"
                                : f.substring(base.length() + 1, f.length() - 4))
                        .sorted().collect(Collectors.joining(", "))
                        + (signatures.isEmpty() ? "" : ", each signed")
                        + (m.isJar() ? "; Automatic-Module-Name " + m.moduleName() : ""));
            }
        }

        // 3. The modules that are not published say so for the plain deploy plugin too.
        for (Element e : children(child(rootPom.getDocumentElement(), "modules"), "module")) {
            String dir = e.getTextContent().trim();
            if (modules.stream().noneMatch(m -> m.dir().equals(dir))) {
                Element pom = parse(root.resolve(dir).resolve("pom.xml")).getDocumentElement();
                Element props = child(pom, "properties");
                for (String skip : List.of("skipPublishing", "maven.deploy.skip")) {
                    if (props == null || !"true".equals(text(props, skip))) {
                        problems.add(dir + "/pom.xml: not published, so it needs <" + skip + ">true</" + skip + ">");
                    }
                }
            }
        }

        if (problems.isEmpty()) {
            System.out.println("check-release: " + modules.size() + " artifacts of version " + version
                    + " would be published, and nothing else");
        } else {
            problems.forEach(p -> System.out.println("FAIL " + p));
            System.out.println("check-release: " + problems.size() + " problem(s)");
            System.exit(1);
        }
    }

    private static void checkPom(Module m, Element pom, Element rootPom, String version, Set<String> jarIds,
            Map<String, Element> managedByParent) {
        String id = m.artifactId();
        for (String field : List.of("name", "description")) {
            if (text(pom, field) == null) {
                problems.add(id + ": the POM has no <" + field + ">");
            }
        }
        // url, licenses, developers, scm and issueManagement: the module's own, or inherited from the parent
        Element meta = child(pom, "parent") == null ? pom : rootPom;
        if (text(meta, "url") == null) {
            problems.add(id + ": no <url>");
        }
        if (child(meta, "licenses") == null || children(child(meta, "licenses"), "license").isEmpty()) {
            problems.add(id + ": no <licenses>");
        }
        if (child(meta, "developers") == null || children(child(meta, "developers"), "developer").isEmpty()) {
            problems.add(id + ": no <developers>");
        }
        Element scm = child(meta, "scm");
        for (String f : List.of("connection", "developerConnection", "url")) {
            if (scm == null || text(scm, f) == null) {
                problems.add(id + ": no <scm><" + f + ">");
            }
        }
        if (child(meta, "issueManagement") == null || text(child(meta, "issueManagement"), "url") == null) {
            problems.add(id + ": no <issueManagement><url>");
        }

        if (id.endsWith("-bom")) {
            if (child(pom, "parent") != null) {
                problems.add(id + ": a BOM must not have a parent (its parent's dependencyManagement would be imported"
                        + " too): publish the flattened POM");
            }
            Set<String> listed = new LinkedHashSet<>();
            for (Element d : children(child(child(pom, "dependencyManagement"), "dependencies"), "dependency")) {
                String ga = text(d, "groupId") + ":" + text(d, "artifactId");
                String v = text(d, "version");
                if (!GROUP.equals(text(d, "groupId")) || !jarIds.contains(text(d, "artifactId"))) {
                    problems.add(id + ": lists " + ga + ", which is not a published module");
                } else if (!version.equals(v) && !"${project.version}".equals(v)) {
                    problems.add(id + ": lists " + ga + " at version " + v + ", not " + version);
                }
                listed.add(text(d, "artifactId"));
            }
            for (String j : jarIds) {
                if (!listed.contains(j)) {
                    problems.add(id + ": does not list the published module " + j + " (add it to bom/pom.xml)");
                }
            }
            return;
        }
        if (child(pom, "parent") != null) {
            Element parent = child(pom, "parent");
            if (!version.equals(text(parent, "version"))) {
                problems.add(id + ": parent version " + text(parent, "version") + ", not " + version);
            }
        }
        // A published module needs no unpublished one, except in test scope (test-support, the examples).
        Element deps = child(pom, "dependencies");
        for (Element d : children(deps, "dependency")) {
            if (!GROUP.equals(text(d, "groupId"))) {
                continue;
            }
            String artifact = text(d, "artifactId");
            String scope = text(d, "scope");
            if (scope == null) {
                Element managed = managedByParent.get(artifact + ":" + typeOf(d));
                scope = managed == null ? null : text(managed, "scope");
            }
            if (!jarIds.contains(artifact) && !"test".equals(scope)) {
                problems.add(id + ": depends on " + artifact + " (not published) in scope "
                        + (scope == null ? "compile" : scope) + "; only test scope may name an unpublished module");
            }
        }
    }

    private static void checkJar(Module m, Path jar, boolean main, byte[] license, byte[] notice, String mustHave)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            return; // reported with the file list
        }
        String name = jar.getFileName().toString();
        try (JarFile j = new JarFile(jar.toFile())) {
            if (!Arrays.equals(license, bytes(j, "META-INF/LICENSE"))) {
                problems.add(name + ": META-INF/LICENSE missing or not the repository's LICENSE");
            }
            if (!Arrays.equals(notice, bytes(j, "META-INF/NOTICE"))) {
                problems.add(name + ": META-INF/NOTICE missing or not the repository's NOTICE");
            }
            if (j.stream().noneMatch(e -> e.getName().endsWith(mustHave))) {
                problems.add(name + ": has no " + mustHave);
            }
            if (main) {
                String amn = j.getManifest() == null ? null
                        : j.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
                if (!m.moduleName().equals(amn)) {
                    problems.add(name + ": Automatic-Module-Name is " + amn + ", expected " + m.moduleName());
                }
                // as the JVM sees the jar on the module path
                try {
                    ModuleDescriptor d = ModuleFinder.of(jar).findAll().iterator().next().descriptor();
                    if (!d.name().equals(m.moduleName())) {
                        problems.add(name + ": on the module path it is module " + d.name());
                    }
                    for (String pkg : d.packages()) {
                        String other = packages.putIfAbsent(pkg, d.name());
                        if (other != null) {
                            problems.add(name + ": package " + pkg + " is in module " + other + " too (split package)");
                        }
                    }
                } catch (RuntimeException e) {
                    problems.add(name + ": not usable on the module path: " + e.getMessage());
                }
            }
        }
    }

    private static byte[] bytes(JarFile j, String entry) throws IOException {
        ZipEntry e = j.getEntry(entry);
        if (e == null) {
            return null;
        }
        try (InputStream in = j.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    private static List<Module> readList(Path file) throws IOException {
        List<Module> modules = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\\s+");
            if (f.length != 4) {
                throw new IllegalArgumentException(file + ": expected 4 columns, got: " + line);
            }
            modules.add(new Module(f[0], f[1], f[2], f[3].equals("-") ? List.of() : List.of(f[3].split(","))));
        }
        return modules;
    }

    private static Map<String, Element> managedDependencies(Element pom) {
        Map<String, Element> managed = new LinkedHashMap<>();
        Element dm = child(pom, "dependencyManagement");
        for (Element d : children(dm == null ? null : child(dm, "dependencies"), "dependency")) {
            managed.put(text(d, "artifactId") + ":" + typeOf(d), d);
        }
        return managed;
    }

    private static String typeOf(Element dependency) {
        String type = text(dependency, "type");
        return type == null ? "jar" : type;
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    private static Element child(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        if (e == null) {
            return null;
        }
        String t = e.getTextContent().strip();
        return t.isEmpty() ? null : t;
    }
}
