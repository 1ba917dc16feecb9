#include "eventstore/event_hasher.h"

#include <openssl/evp.h>

#include "domain/assert.h"
#include "eventstore/hash_chain.h"
#include "eventstore/keys.h"

namespace ledger {
namespace {

void AppendLengthPrefixed(std::string_view bytes, std::string* out) {
  LEDGER_ASSERT(bytes.size() <= UINT32_MAX);
  AppendBigEndian32(static_cast<uint32_t>(bytes.size()), out);
  out->append(bytes);
}

}  // namespace

// OpenSSL fails these calls only when it cannot allocate or has no SHA-256 provider: then the
// process cannot hash its chain at all, which no caller could handle.
EventHasher::EventHasher()
    : sha256_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), context_(EVP_MD_CTX_new()) {
  LEDGER_ASSERT(sha256_ != nullptr);
  LEDGER_ASSERT(context_ != nullptr);
}

EventHasher::~EventHasher() {
  EVP_MD_CTX_free(context_);
  EVP_MD_free(sha256_);
}

Hash EventHasher::Sha256(std::string_view prefix, std::string_view bytes) {
  Hash out;
  unsigned int size = 0;
  LEDGER_ASSERT(EVP_DigestInit_ex2(context_, sha256_, nullptr) == 1);
  LEDGER_ASSERT(EVP_DigestUpdate(context_, prefix.data(), prefix.size()) == 1);
  LEDGER_ASSERT(EVP_DigestUpdate(context_, bytes.data(), bytes.size()) == 1);
  LEDGER_ASSERT(EVP_DigestFinal_ex(context_, out.data(), &size) == 1);
  LEDGER_ASSERT(size == out.size());
  return out;
}

Hash EventHasher::ChainHash(const Hash& prev_hash, const StoredEvent& event) {
  bytes_.clear();
  AppendCanonicalBytes(event, &bytes_);
  return Sha256(std::string_view(reinterpret_cast<const char*>(prev_hash.data()), prev_hash.size()),
                bytes_);
}

// The layout of hash_chain.cc's ContentDigest (docs/event_format.md, "Content digest").
Hash EventHasher::ContentDigest(const EventDraft& draft) {
  bytes_.clear();
  AppendLengthPrefixed(draft.stream, &bytes_);
  AppendLengthPrefixed(draft.type, &bytes_);
  AppendBigEndian64(static_cast<uint64_t>(draft.occurred_at_us), &bytes_);
  AppendLengthPrefixed(draft.payload, &bytes_);
  return Sha256({}, bytes_);
}

}  // namespace ledger
