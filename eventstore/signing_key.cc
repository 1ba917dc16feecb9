#include "eventstore/signing_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "domain/assert.h"

namespace ledger {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

std::string RawPublicKey(EVP_PKEY* key) {
  std::string raw(kPublicKeyBytes, '\0');
  size_t size = raw.size();
  LEDGER_ASSERT(
      EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &size) == 1);
  LEDGER_ASSERT(size == kPublicKeyBytes);
  return raw;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

struct SigningKey::Handle {
  Pkey key;
};

SigningKey::SigningKey(std::unique_ptr<Handle> handle)
    : handle_(std::move(handle)), public_key_(RawPublicKey(handle_->key.get())) {}

SigningKey::~SigningKey() = default;

Result<std::shared_ptr<const SigningKey>> SigningKey::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("no signing key at " + path);
  std::stringstream pem;
  pem << in.rdbuf();
  const std::string text = pem.str();
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument(path + " does not hold an Ed25519 private key");
  }
  auto handle = std::make_unique<Handle>();
  handle->key = std::move(key);
  return std::shared_ptr<const SigningKey>(new SigningKey(std::move(handle)));
}

Result<std::shared_ptr<const SigningKey>> SigningKey::LoadOrCreate(const std::string& path) {
  if (access(path.c_str(), F_OK) == 0) return Load(path);
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return Status::IoError("cannot generate an Ed25519 key");
  }
  Pkey key(raw);
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Status::IoError("cannot encode the signing key");
  }
  const std::string pem = BioContents(bio.get());
  // O_EXCL: never overwrite a key another process just created.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return Status::IoError("cannot create " + path);
  const bool written =
      write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && fsync(fd) == 0;
  close(fd);
  if (!written) return Status::IoError("cannot write " + path);
  auto handle = std::make_unique<Handle>();
  handle->key = std::move(key);
  return std::shared_ptr<const SigningKey>(new SigningKey(std::move(handle)));
}

std::string SigningKey::Sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  LEDGER_ASSERT(ctx != nullptr);
  LEDGER_ASSERT(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, handle_->key.get()) == 1);
  std::string signature(kSignatureBytes, '\0');
  size_t size = signature.size();
  LEDGER_ASSERT(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                               reinterpret_cast<const unsigned char*>(message.data()),
                               message.size()) == 1);
  LEDGER_ASSERT(size == kSignatureBytes);
  return signature;
}

std::string SigningKey::PublicKeyPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  LEDGER_ASSERT(PEM_write_bio_PUBKEY(bio.get(), handle_->key.get()) == 1);
  return BioContents(bio.get());
}

bool VerifySignature(std::string_view public_key, std::string_view message,
                     std::string_view signature) {
  if (public_key.size() != kPublicKeyBytes || signature.size() != kSignatureBytes) return false;
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                       reinterpret_cast<const unsigned char*>(public_key.data()),
                                       public_key.size()));
  if (key == nullptr) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

Result<std::string> ParsePublicKey(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.size() == 2 * kPublicKeyBytes) {
    std::string raw;
    for (size_t i = 0; i < text.size(); i += 2) {
      const int high = HexValue(text[i]);
      const int low = HexValue(text[i + 1]);
      if (high < 0 || low < 0) return Status::InvalidArgument("public key is not hex");
      raw.push_back(static_cast<char>(high * 16 + low));
    }
    return raw;
  }
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("not an Ed25519 public key (PEM or 64 hex digits)");
  }
  return RawPublicKey(key.get());
}

}  // namespace ledger
