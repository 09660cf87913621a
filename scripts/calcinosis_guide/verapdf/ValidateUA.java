// Validate PDF files against veraPDF's PDF/UA-1 profile, all in one JVM.
//
// Usage: java -cp <veraPDF jar>:<JAXB jars>:<classes> ValidateUA FILE.pdf...
// Prints one JSON object per file on its own line:
//   {"file": "...", "compliant": true|false, "checks": N, "profile_rules": N, "failed": {"7.2-20": 20, ...},
//    "rules": {"7.2-20": "description"}, "where": {"7.2-20": ["context", ...]}}
// or {"file": "...", "error": "..."} when veraPDF cannot parse the file.
// Exit status: 0 when every file is compliant, 1 when one is not, 2 on an error.
//
// Compiled at test time (or by `make verify`) into _build/verapdf/; see
// calcinosis_guide/verapdf/__init__.py, which finds the jar and JAXB.

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.VeraPDFFoundry;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;

public final class ValidateUA {
    private static final int CONTEXTS_PER_RULE = 3;

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: ValidateUA FILE.pdf...");
            System.exit(2);
        }
        VeraGreenfieldFoundryProvider.initialise();
        int status = 0;
        try (VeraPDFFoundry foundry = Foundries.defaultInstance()) {
            for (String name : args) {
                int result = validate(foundry, new File(name));
                status = Math.max(status, result);
            }
        } catch (Exception e) {
            System.err.println("veraPDF: " + e);
            System.exit(2);
        }
        System.out.flush();
        System.exit(status);
    }

    private static int validate(VeraPDFFoundry foundry, File file) {
        try (PDFAParser parser = foundry.createParser(file, PDFAFlavour.PDFUA_1);
             PDFAValidator validator = foundry.createValidator(PDFAFlavour.PDFUA_1, false)) {
            ValidationResult result = validator.validate(parser);
            Map<String, Integer> failed = new TreeMap<>();
            Map<String, String> rules = new TreeMap<>();
            for (Map.Entry<RuleId, Integer> entry : result.getFailedChecks().entrySet()) {
                RuleId id = entry.getKey();
                String key = id.getClause() + "-" + id.getTestNumber();
                failed.put(key, entry.getValue());
                Rule rule = result.getValidationProfile().getRuleByRuleId(id);
                rules.put(key, rule == null ? "" : rule.getDescription());
            }
            Map<String, List<String>> where = new TreeMap<>();
            for (TestAssertion assertion : result.getTestAssertions()) {
                if (assertion.getStatus() != TestAssertion.Status.FAILED) {
                    continue;
                }
                RuleId id = assertion.getRuleId();
                List<String> contexts = where.computeIfAbsent(
                        id.getClause() + "-" + id.getTestNumber(), k -> new ArrayList<>());
                if (contexts.size() < CONTEXTS_PER_RULE) {
                    String context = assertion.getLocation() == null ? ""
                            : assertion.getLocation().getContext();
                    contexts.add(context == null ? "" : context);
                }
            }
            StringBuilder out = new StringBuilder("{\"file\": ").append(quote(file.getPath()))
                    .append(", \"compliant\": ").append(result.isCompliant() && failed.isEmpty())
                    .append(", \"checks\": ").append(result.getTotalAssertions())
                    .append(", \"profile_rules\": ").append(validator.getProfile().getRules().size())
                    .append(", \"failed\": {");
            String sep = "";
            for (Map.Entry<String, Integer> entry : failed.entrySet()) {
                out.append(sep).append(quote(entry.getKey())).append(": ").append(entry.getValue());
                sep = ", ";
            }
            out.append("}, \"rules\": {");
            sep = "";
            for (Map.Entry<String, String> entry : rules.entrySet()) {
                out.append(sep).append(quote(entry.getKey())).append(": ").append(quote(entry.getValue()));
                sep = ", ";
            }
            out.append("}, \"where\": {");
            sep = "";
            for (Map.Entry<String, List<String>> entry : where.entrySet()) {
                out.append(sep).append(quote(entry.getKey())).append(": [");
                String inner = "";
                for (String context : entry.getValue()) {
                    out.append(inner).append(quote(context));
                    inner = ", ";
                }
                out.append("]");
                sep = ", ";
            }
            out.append("}}");
            System.out.println(out);
            return failed.isEmpty() && result.isCompliant() ? 0 : 1;
        } catch (Exception e) {
            System.out.println("{\"file\": " + quote(file.getPath()) + ", \"error\": " + quote(String.valueOf(e)) + "}");
            return 2;
        }
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }
}
