// train_offensive --data data/offensive/labeled_train.csv --out data/models/offensive.bin --folds 5
//
// Reads the labelled tweets, prints a stratified k-fold cross-validation (per-class and weighted
// precision/recall/F1), then trains on all rows and writes the model. Deterministic for a given --seed
// (folds run in parallel threads; the result does not depend on --threads).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "moderation/learned/trainer.hpp"

using namespace tribune::moderation::learned;

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: train_offensive --data FILE.csv --out MODEL.bin [--folds 5] [--epochs 10] [--lr 0.03]\n"
               "                       [--l2 1e-6] [--balance 0.5] [--seed N] [--hash-bits 18] [--threshold 0.5]\n"
               "                       [--threads N]\n"
               "  --folds 0 skips cross-validation; --out may be omitted to only cross-validate.\n"
               "       train_offensive --score MODEL.bin < lines.txt   (prints P(hate) P(offensive) P(neither) per line)\n");
  return 2;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

// --score: one text per input line → "P(hate) P(offensive) P(neither)<TAB>text".
int Score(const std::string& model_path) {
  auto model = LinearModel::Load(model_path);
  if (!model.ok()) {
    std::fprintf(stderr, "error: %s\n", model.error().message.c_str());
    return 1;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    auto p = model->Predict(Featurize(RepairUtf8(line), model->config()));
    std::printf("%.3f %.3f %.3f\t%s\n", p[kHate], p[kOffensive], p[kNeither], line.c_str());
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--score") return Score(argv[2]);
  std::string data, out;
  int folds = 5;
  double threshold = 0.5;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  TrainOptions options;
  FeatureConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(Usage());
      }
      return argv[++i];
    };
    if (a == "--data") data = next();
    else if (a == "--out") out = next();
    else if (a == "--folds") folds = std::atoi(next());
    else if (a == "--epochs") options.epochs = std::atoi(next());
    else if (a == "--lr") options.learning_rate = std::strtof(next(), nullptr);
    else if (a == "--l2") options.l2 = std::strtof(next(), nullptr);
    else if (a == "--balance") options.balance = std::strtof(next(), nullptr);
    else if (a == "--seed") options.seed = std::strtoull(next(), nullptr, 10);
    else if (a == "--hash-bits") config.hash_bits = static_cast<uint32_t>(std::atoi(next()));
    else if (a == "--threshold") threshold = std::strtod(next(), nullptr);
    else if (a == "--threads") threads = std::atoi(next());
    else if (a == "-h" || a == "--help") return Usage();
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return Usage();
    }
  }
  if (data.empty() || folds == 1 || folds < 0 || options.epochs < 1 || config.hash_bits < 8 || config.hash_bits > 26) {
    return Usage();
  }

  auto t0 = std::chrono::steady_clock::now();
  auto examples = LoadLabelledCsv(data);
  if (!examples.ok()) {
    std::fprintf(stderr, "error: %s\n", examples.error().message.c_str());
    return 1;
  }
  std::vector<std::vector<Feature>> features;
  std::vector<int> labels;
  features.reserve(examples->size());
  long counts[kNumClasses] = {0, 0, 0};
  size_t occurrences = 0;
  for (const Example& e : *examples) {
    features.push_back(Featurize(e.text, config));
    labels.push_back(e.label);
    ++counts[e.label];
    occurrences += features.back().size();
  }
  std::printf("%zu examples (hate %ld, offensive %ld, neither %ld), %.1f features each, read in %.1f s\n",
              examples->size(), counts[0], counts[1], counts[2], double(occurrences) / double(examples->size()),
              Seconds(t0));
  std::printf("features: 2^%u buckets, signed; word 1-2-grams + char %u-%u-grams of the squeezed view\n",
              config.hash_bits, config.char_min, config.char_max);
  std::printf("training: softmax regression, AdaGrad lr %.3g, l2 %.3g, %d epochs, class balance %.2f, seed %llu\n",
              options.learning_rate, options.l2, options.epochs, options.balance,
              static_cast<unsigned long long>(options.seed));

  if (folds > 1) {
    auto t1 = std::chrono::steady_clock::now();
    CrossValidation cv = CrossValidate(features, labels, config, options, folds, threshold, threads);
    std::printf("\n%d-fold stratified cross-validation (%.1f s):\n%s", folds, Seconds(t1), FormatReport(cv).c_str());
  }

  if (!out.empty()) {
    auto t2 = std::chrono::steady_clock::now();
    std::vector<size_t> all(labels.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    LinearModel model = Train(features, labels, all, config, options);
    auto saved = model.Save(out);
    if (!saved.ok()) {
      std::fprintf(stderr, "error: %s\n", saved.error().message.c_str());
      return 1;
    }
    const std::string bytes = model.Serialize();
    std::printf("\ntrained on all %zu examples in %.1f s; wrote %s (%zu bytes, FNV-1a %016llx)\n", labels.size(),
                Seconds(t2), out.c_str(), bytes.size(), static_cast<unsigned long long>(Fnv1a64(bytes)));
  }
  return 0;
}
