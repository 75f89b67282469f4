// The language rule's two detectors: loading the fastText model safely, and asking fastText and CLD2 for
// their opinion on a prepared text. See language.hpp.
#include <fasttext/fasttext.h>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "moderation/rules/language.hpp"

namespace tribune::moderation {

// fastText's loader with access to its own format check, so that the model is loaded from the bytes
// validated below rather than from a second read of the file.
class LanguageModel : public fasttext::FastText {
 public:
  // Throws std::invalid_argument on a wrong magic number or version (fastText's check), or whatever
  // fastText's loader throws.
  void LoadFrom(std::istream& in) {
    if (!checkModel(in)) throw std::invalid_argument("wrong file format");
    loadModel(in);
    if (in.fail() || in.peek() != std::char_traits<char>::eof()) throw std::invalid_argument("truncated or damaged");
  }
};

std::string DefaultLanguageModelPath() { return std::string(TRIBUNE_SOURCE_DIR) + "/data/models/lid.176.ftz"; }

namespace {

// fastText trusts every size field of a model file: a file cut short makes its loader read words until a
// NUL that never comes (memory grows until the process dies) or allocate and fill vectors of garbage
// length (a cut lid.176.ftz took 15 s). So the whole layout is walked here first, every size checked
// against the bytes that are left. Layout of fastText 0.9 (file format version 12): magic, version,
// arguments, dictionary, pruning index, input matrix, output matrix.
class ModelBytes {
 public:
  explicit ModelBytes(const std::string& data) : data_(data) {}

  // Empty when the file is a complete fastText supervised model, else what is wrong.
  std::string Check() {
    int32_t magic = 0, version = 0;
    if (!Read(magic) || magic != kMagic) return "not a fastText model";
    if (!Read(version) || version > kMaxVersion) return "unsupported fastText format version";
    if (!Skip(kArgsBytes)) return "truncated (arguments)";
    int32_t size = 0, nwords = 0, nlabels = 0;
    int64_t ntokens = 0, pruneidx_size = 0;
    if (!Read(size) || !Read(nwords) || !Read(nlabels) || !Read(ntokens) || !Read(pruneidx_size))
      return "truncated (dictionary)";
    if (nwords < 0 || nlabels <= 0 || nwords + nlabels != size) return "not a supervised model with labels";
    for (int32_t i = 0; i < size; ++i) {
      const size_t nul = data_.find('\0', pos_);
      if (nul == std::string::npos || nul - pos_ > kMaxWordBytes) return "truncated or damaged (dictionary)";
      pos_ = nul + 1;
      if (!Skip(sizeof(int64_t) + sizeof(int8_t))) return "truncated (dictionary)";
    }
    if (pruneidx_size > 0 && !SkipItems(pruneidx_size, 2 * sizeof(int32_t))) return "truncated (pruning index)";
    bool quant_input = false, quant_output = false;
    if (!ReadBool(quant_input) || !Matrix(quant_input)) return "truncated or damaged (input matrix)";
    if (!ReadBool(quant_output) || !Matrix(quant_input && quant_output)) return "truncated or damaged (output matrix)";
    if (pos_ != data_.size()) return "unexpected bytes after the model";
    return {};
  }

 private:
  static constexpr int32_t kMagic = 793712314;
  static constexpr int32_t kMaxVersion = 12;
  static constexpr size_t kArgsBytes = 12 * sizeof(int32_t) + sizeof(double);
  static constexpr size_t kMaxWordBytes = 4096;
  static constexpr int64_t kCentroidsPerSubquantizer = 256;  // fastText's 8-bit product quantizer

  size_t Left() const { return data_.size() - pos_; }
  template <typename T>
  bool Read(T& value) {
    if (Left() < sizeof(T)) return false;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool ReadBool(bool& value) {
    uint8_t byte = 0;
    if (!Read(byte) || byte > 1) return false;
    value = byte == 1;
    return true;
  }
  bool Skip(size_t n) {
    if (Left() < n) return false;
    pos_ += n;
    return true;
  }
  bool SkipItems(int64_t count, size_t item_bytes) {
    if (count < 0 || static_cast<uint64_t>(count) > Left() / item_bytes) return false;
    pos_ += static_cast<size_t>(count) * item_bytes;
    return true;
  }
  bool Quantizer() {
    int32_t dim = 0, nsubq = 0, dsub = 0, lastdsub = 0;
    if (!Read(dim) || !Read(nsubq) || !Read(dsub) || !Read(lastdsub) || dim <= 0) return false;
    return SkipItems(int64_t{dim} * kCentroidsPerSubquantizer, sizeof(float));
  }
  bool Matrix(bool quantized) {
    int64_t m = 0, n = 0;
    if (!quantized) {
      if (!Read(m) || !Read(n) || m < 0 || n < 0 || (n > 0 && m > INT64_MAX / n)) return false;
      return SkipItems(m * n, sizeof(float));
    }
    bool qnorm = false;
    int32_t codesize = 0;
    if (!ReadBool(qnorm) || !Read(m) || !Read(n) || !Read(codesize) || m < 0 || n < 0) return false;
    if (!SkipItems(codesize, 1) || !Quantizer()) return false;
    return !qnorm || (SkipItems(m, 1) && Quantizer());
  }

  const std::string& data_;
  size_t pos_ = 0;
};

}  // namespace

Result<std::unique_ptr<LanguageDetector>> LanguageDetector::Load(const std::string& fasttext_model_path,
                                                                 std::vector<std::string> edition_languages) {
  const std::string what = "language model " + fasttext_model_path + ": ";
  try {
    std::ifstream in(fasttext_model_path, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kUnavailable, what + "cannot be opened (moderation.language_model)");
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return MakeError(ErrorCode::kUnavailable, what + "read error");
    if (std::string problem = ModelBytes(data).Check(); !problem.empty()) {
      return MakeError(ErrorCode::kUnavailable, what + problem);
    }
    auto model = std::make_unique<LanguageModel>();
    std::istringstream stream(std::move(data));
    model->LoadFrom(stream);

    std::vector<std::string> editions;
    for (const std::string& e : edition_languages) {
      std::string n = language::NormalizeLanguage(e);
      if (!n.empty() && std::find(editions.begin(), editions.end(), n) == editions.end()) editions.push_back(std::move(n));
    }
    return std::unique_ptr<LanguageDetector>(new LanguageDetector(std::move(model), std::move(editions)));
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kUnavailable, what + e.what());
  } catch (...) {
    return MakeError(ErrorCode::kUnavailable, what + "could not be loaded");
  }
}

LanguageDetector::LanguageDetector(std::unique_ptr<LanguageModel> model, std::vector<std::string> edition_languages)
    : model_(std::move(model)), edition_languages_(std::move(edition_languages)) {}

LanguageDetector::~LanguageDetector() = default;

std::string LanguageDetector::Cld2Version() { return CLD2::DetectLanguageVersion(); }

LanguageDetector::Guess LanguageDetector::Cld2Guess(std::string_view text) {
  Guess g;
  CLD2::CLDHints hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language language3[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE};
  int percent3[3] = {0, 0, 0};
  double normalized3[3] = {0, 0, 0};
  int text_bytes = 0, valid_prefix = 0;
  bool reliable = false;
  const int length = static_cast<int>(std::min<size_t>(text.size(), language::kMaxJudgedBytes));
  // The checking variant: PrepareText yields valid UTF-8, but CLD2 must never see anything else.
  CLD2::ExtDetectLanguageSummaryCheckUTF8(text.data(), length, /*is_plain_text=*/true, &hints, /*flags=*/0, language3,
                                          percent3, normalized3, nullptr, &text_bytes, &reliable, &valid_prefix);
  g.language = language::NormalizeLanguage(CLD2::LanguageCode(language3[0]));
  g.probability = percent3[0] / 100.0;
  g.reliable = reliable && !g.language.empty();
  for (int i = 1; i < 3; ++i) {
    std::string code = language::NormalizeLanguage(CLD2::LanguageCode(language3[i]));
    if (!code.empty() && percent3[i] > 0) g.others.emplace_back(std::move(code), percent3[i] / 100.0);
  }
  return g;
}

LanguageDetector::Guess LanguageDetector::FastTextGuess(std::string_view text) const {
  Guess g;
  g.reliable = true;
  // fastText's cost grows with the character n-grams of every word; its verdict is settled long before
  // kMaxFastTextBytes, so a longer text is cut at the last space before it (or a character boundary).
  if (text.size() > language::kMaxFastTextBytes) {
    size_t cut = text.rfind(' ', language::kMaxFastTextBytes);
    if (cut == std::string_view::npos || cut == 0) {
      cut = language::kMaxFastTextBytes;
      while (cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
    }
    text = text.substr(0, cut);
  }
  // fastText reads a std::istream; a per-thread one is reset instead of building a stream (and its
  // locale) for every comment.
  thread_local std::istringstream in;
  thread_local std::string line;
  line.assign(text);
  std::replace(line.begin(), line.end(), '\n', ' ');  // fastText stops at the end of a line
  line.push_back('\n');
  in.clear();
  in.str(line);
  std::vector<std::pair<fasttext::real, std::string>> predictions;
  model_->predictLine(in, predictions, /*k=*/3, /*threshold=*/0.0f);
  constexpr std::string_view kPrefix = "__label__";
  for (size_t i = 0; i < predictions.size(); ++i) {
    std::string_view label = predictions[i].second;
    if (label.starts_with(kPrefix)) label.remove_prefix(kPrefix.size());
    std::string code = language::NormalizeLanguage(label);
    const double p = std::clamp(static_cast<double>(predictions[i].first), 0.0, 1.0);
    if (i == 0) {
      g.language = std::move(code);
      g.probability = p;
    } else if (!code.empty()) {
      g.others.emplace_back(std::move(code), p);
    }
  }
  return g;
}

}  // namespace tribune::moderation
