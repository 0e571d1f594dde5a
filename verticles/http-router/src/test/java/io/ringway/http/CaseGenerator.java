package io.ringway.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic cases from a seed: the first ones are the corpus unchanged (the baseline every proxy must
 * forward), then each index draws a template and one mutation from its own {@code Random(seed, index)}, so a
 * case's bytes depend only on its id, never on how many cases ran before it.
 */
final class CaseGenerator {

  private CaseGenerator() {
  }

  static List<FuzzCase> generate(long seed, int count) {
    List<FuzzCase> cases = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      cases.add(one(seed, i));
    }
    return cases;
  }

  static FuzzCase one(long seed, int index) {
    String id = seed + "-" + index;
    List<FuzzCorpus.Template> templates = FuzzCorpus.TEMPLATES;
    if (index < templates.size()) {
      FuzzCorpus.Template template = templates.get(index);
      RequestShape shape = template.make().get();
      return new FuzzCase(id, "valid", template.name(), shape.bytes(), shape.requests(), isHead(shape));
    }
    Random random = new Random(seed * 0x9E3779B97F4A7C15L + index);
    FuzzCorpus.Template template = Mutation.pick(templates, random);
    RequestShape shape = template.make().get();
    int family = random.nextInt(100);
    if (family < 75) {
      Mutation mutation = family < 48 ? Mutation.pick(HeadMutations.ALL, random)
          : Mutation.pick(FramingMutations.ALL, random);
      String what = mutation.apply(shape, random);
      return new FuzzCase(id, mutation.kind(), template.name() + ": " + what, shape.bytes(), shape.requests(),
          isHead(shape));
    }
    ByteMutations.Raw raw = Mutation.pick(ByteMutations.ALL, random);
    String[] what = new String[1];
    String text = raw.edit().apply(shape.text(), random, what);
    return new FuzzCase(id, raw.kind(), template.name() + ": " + what[0],
        text.getBytes(StandardCharsets.ISO_8859_1), shape.requests(), isHead(shape));
  }

  private static boolean isHead(RequestShape shape) {
    return shape.method.equals("HEAD");
  }
}
