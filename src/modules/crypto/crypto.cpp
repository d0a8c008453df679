// crypto: hashes, HMAC, AES (spec/others.md "crypto", app/modules/crypto.c, app/crypto/*.c),
// computed with OpenSSL libcrypto.
//
// Functions that raise Lua errors keep no C++ object with a destructor alive across the raise
// (Lua 5.1 unwinds with longjmp, and every push may raise "not enough memory"): digests are
// computed into plain arrays by helpers whose objects are gone before anything is pushed, and
// AES output is pushed under protection (lua/protected_push.hpp), its error raised afterwards.
#include <openssl/evp.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <climits>
#include <string>
#include <string_view>

#include "core/device.hpp"
#include "lua/protected_push.hpp"
#include "lua/userdata.hpp"
#include "core/flash_fs.hpp"
#include "modules/crypto/crypto_errors.hpp"
#include "modules/encoder/codec.hpp"

namespace crypto_errors = nodemcu_emu::modules::crypto::errors;

namespace nodemcu_emu::modules {

namespace {

constexpr const char* k_hash_class = "crypto.hash";
constexpr std::size_t k_max_block = 128;
constexpr std::size_t k_aes_block = 16;
constexpr std::size_t k_aes_key = 16;  // the docs: "for AES encryption this MUST be 16 bytes"

struct HashMech {
  const char* name;
  const EVP_MD* (*md)();
  std::size_t block_size;
};

// hash_mechs (app/crypto/digests.c); SHA2_ENABLE is set in user_config.h.
constexpr HashMech k_hash_mechs[] = {
    {"MD5", EVP_md5, 64},        {"SHA1", EVP_sha1, 64},      {"SHA256", EVP_sha256, 64},
    {"SHA384", EVP_sha384, 128}, {"SHA512", EVP_sha512, 128},
};

struct CipherMech {
  const char* name;
  const EVP_CIPHER* (*cipher)();
};
constexpr CipherMech k_cipher_mechs[] = {{"AES-ECB", EVP_aes_128_ecb},
                                         {"AES-CBC", EVP_aes_128_cbc}};

// crypto_digest_mech: names compare case-insensitively.
const HashMech* check_hash_mech(lua_State* L, int index) {
  const char* name = luaL_checkstring(L, index);
  for (const auto& m : k_hash_mechs)
    if (strcasecmp(name, m.name) == 0) return &m;
  luaL_error(L, crypto_errors::k_unknown_hash_mech);
  return nullptr;
}

const CipherMech* check_cipher_mech(lua_State* L, int index) {
  const char* name = luaL_checkstring(L, index);
  for (const auto& m : k_cipher_mechs)
    if (strcasecmp(name, m.name) == 0) return &m;
  luaL_error(L, crypto_errors::k_unknown_cipher, name);
  return nullptr;
}

// A finished digest in a plain array: it may be alive while lua_pushlstring raises.
struct DigestBytes {
  unsigned char bytes[EVP_MAX_MD_SIZE];
  std::size_t size = 0;
};

// A running digest, plain or HMAC (crypto_hmac_begin/crypto_hmac_finalize in digests.c).
class Digest {
 public:
  Digest(const HashMech* mech, std::string_view key, bool hmac)
      : mech_(mech), ctx_(EVP_MD_CTX_new()), hmac_(hmac) {
    if (hmac_) set_key(key);
    restart();
  }
  ~Digest() { EVP_MD_CTX_free(ctx_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

  // The digest; the object then starts over (the device wipes its context instead, so what it
  // computes after a finalize is meaningless there).
  DigestBytes finalize() {
    DigestBytes out;
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, out.bytes, &len);
    if (hmac_) {
      EVP_DigestInit_ex(ctx_, mech_->md(), nullptr);
      EVP_DigestUpdate(ctx_, opad_.data(), mech_->block_size);
      EVP_DigestUpdate(ctx_, out.bytes, len);
      EVP_DigestFinal_ex(ctx_, out.bytes, &len);
    }
    restart();
    out.size = len;
    return out;
  }

 private:
  void set_key(std::string_view key) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> hashed;
    if (key.size() > mech_->block_size) {  // a long key is hashed first
      unsigned int len = 0;
      EVP_Digest(key.data(), key.size(), hashed.data(), &len, mech_->md(), nullptr);
      key = {reinterpret_cast<const char*>(hashed.data()), len};
    }
    ipad_.fill(0x36);
    opad_.fill(0x5c);
    for (std::size_t i = 0; i < key.size(); ++i) {
      ipad_[i] ^= static_cast<unsigned char>(key[i]);
      opad_[i] ^= static_cast<unsigned char>(key[i]);
    }
  }
  void restart() {
    EVP_DigestInit_ex(ctx_, mech_->md(), nullptr);
    if (hmac_) EVP_DigestUpdate(ctx_, ipad_.data(), mech_->block_size);
  }

  const HashMech* mech_;
  EVP_MD_CTX* ctx_;
  bool hmac_;
  std::array<unsigned char, k_max_block> ipad_{};
  std::array<unsigned char, k_max_block> opad_{};
};

std::string_view check_bytes(lua_State* L, int index) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, index, &len);
  return {s, len};
}

int push_digest(lua_State* L, const DigestBytes& d) {
  lua_pushlstring(L, reinterpret_cast<const char*>(d.bytes), d.size);
  return 1;
}

// --- one-shot digests ---------------------------------------------------------------------

// The Digest (an OpenSSL context) is gone when this returns, before anything is pushed.
DigestBytes digest_of(const HashMech* mech, std::string_view key, bool hmac,
                      std::string_view data) {
  Digest digest(mech, key, hmac);
  digest.update(data);
  return digest.finalize();
}

int crypto_hash(lua_State* L) {
  const HashMech* mech = check_hash_mech(L, 1);
  std::string_view data = check_bytes(L, 2);
  return push_digest(L, digest_of(mech, {}, false, data));
}

int crypto_hmac(lua_State* L) {
  const HashMech* mech = check_hash_mech(L, 1);
  std::string_view data = check_bytes(L, 2);
  std::string_view key = check_bytes(L, 3);
  return push_digest(L, digest_of(mech, key, true, data));
}

int crypto_sha1(lua_State* L) {
  std::string_view data = check_bytes(L, 1);
  return push_digest(L, digest_of(&k_hash_mechs[1], {}, false, data));
}

// The digest of a flash file, read in blocks of the hash's block size; false when it cannot be
// opened. The open file and the Digest are gone when this returns.
bool file_digest(core::Device& d, const HashMech* mech, const char* name, DigestBytes& out) {
  auto file = core::flash::flash_of(d).open(name, "r");
  if (!file) return false;
  Digest digest(mech, {}, false);
  std::array<char, k_max_block> block;
  long got = 0;
  do {
    got = file->read(block.data(), mech->block_size);
    if (got > 0) digest.update({block.data(), static_cast<std::size_t>(got)});
  } while (got == static_cast<long>(mech->block_size));
  out = digest.finalize();
  return true;
}

// crypto_fhash: the file is read from the device's flash.
int crypto_fhash(lua_State* L) {
  const HashMech* mech = check_hash_mech(L, 1);
  const char* name = luaL_checkstring(L, 2);
  DigestBytes digest;
  if (!file_digest(core::Device::from(L), mech, name, digest))
    return luaL_error(L, crypto_errors::k_file_does_not_exist);
  return push_digest(L, digest);
}

int crypto_mask(lua_State* L) {
  std::string_view msg = check_bytes(L, 1);
  std::string_view mask = check_bytes(L, 2);
  if (mask.empty()) return luaL_error(L, crypto_errors::k_invalid_argument_mask);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (std::size_t i = 0; i < msg.size(); ++i) luaL_addchar(&b, msg[i] ^ mask[i % mask.size()]);
  luaL_pushresult(&b);
  return 1;
}

// --- hash objects -------------------------------------------------------------------------

int new_digest(lua_State* L, bool hmac) {
  const HashMech* mech = check_hash_mech(L, 1);
  std::string_view key = hmac ? check_bytes(L, 2) : std::string_view();
  lua::new_userdata<Digest>(L, k_hash_class, mech, key, hmac);
  return 1;
}

int crypto_new_hash(lua_State* L) {
  return new_digest(L, false);
}
int crypto_new_hmac(lua_State* L) {
  return new_digest(L, true);
}

Digest* check_digest(lua_State* L) {
  return static_cast<Digest*>(luaL_checkudata(L, 1, k_hash_class));
}

int hash_update(lua_State* L) {
  Digest* digest = check_digest(L);
  digest->update(check_bytes(L, 2));
  return 0;
}

int hash_finalize(lua_State* L) {
  Digest* digest = check_digest(L);
  return push_digest(L, digest->finalize());
}

// --- AES ----------------------------------------------------------------------------------

// do_aes (app/crypto/mech.c): data zero-padded to whole blocks, the IV zero-padded or cut to
// one block; the SDK's AES refuses keys that are not 16 bytes.
bool run_aes(const CipherMech* mech, std::string_view key, std::string_view data,
             std::string_view iv, bool encrypt, std::string& out) {
  if (key.size() != k_aes_key) return false;
  std::size_t padded = (data.size() + k_aes_block - 1) / k_aes_block * k_aes_block;
  if (padded > static_cast<std::size_t>(INT_MAX)) return false;  // EVP takes an int length
  std::string in(data);
  in.resize(padded, '\0');
  std::array<unsigned char, k_aes_block> iv_block{};
  std::copy_n(iv.begin(), std::min(iv.size(), k_aes_block), iv_block.begin());
  out.assign(padded, '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  auto* key_bytes = reinterpret_cast<const unsigned char*>(key.data());
  int len = 0;
  bool ok =
      ctx != nullptr &&
      EVP_CipherInit_ex(ctx, mech->cipher(), nullptr, key_bytes, iv_block.data(),
                        encrypt ? 1 : 0) == 1 &&
      EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
      (padded == 0 || EVP_CipherUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                                       reinterpret_cast<const unsigned char*>(in.data()),
                                       static_cast<int>(padded)) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

int crypto_encdec(lua_State* L, bool encrypt) {
  const CipherMech* mech = check_cipher_mech(L, 1);
  std::string_view key = check_bytes(L, 2);
  std::string_view data = check_bytes(L, 3);
  std::size_t iv_len = 0;
  const char* iv = luaL_optlstring(L, 4, "", &iv_len);
  // Pushed under protection while `out` is alive; any error is raised once it is gone.
  enum { pushed, failed, push_error } outcome = failed;
  {
    std::string out;
    if (run_aes(mech, key, data, {iv, iv_len}, encrypt, out))
      outcome = lua::protected_push(L, out) ? pushed : push_error;
  }
  if (outcome == push_error) return lua_error(L);
  return outcome == pushed ? 1 : luaL_error(L, crypto_errors::k_crypto_op_failed);
}

int crypto_encrypt(lua_State* L) {
  return crypto_encdec(L, true);
}
int crypto_decrypt(lua_State* L) {
  return crypto_encdec(L, false);
}

// crypto.toHex / crypto.toBase64: up to 2.2.1 (3.0 has them in `encoder` only); with
// the encoder module built in, the firmware hands them to it, so the outputs match encoder's.
template <std::string (*Encode)(std::string_view)>
int crypto_encode(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  std::string out = Encode({s, len});
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

}  // namespace

int open_crypto(lua_State* L) {
  static const luaL_Reg methods[] = {{"update", hash_update},
                                     {"finalize", hash_finalize},
                                     {"__gc", lua::destroy_userdata<Digest>},
                                     {nullptr, nullptr}};
  lua::new_class(L, k_hash_class, methods);
  static const luaL_Reg functions[] = {{"sha1", crypto_sha1},         {"mask", crypto_mask},
                                       {"hash", crypto_hash},         {"fhash", crypto_fhash},
                                       {"new_hash", crypto_new_hash}, {"hmac", crypto_hmac},
                                       {"new_hmac", crypto_new_hmac}, {"encrypt", crypto_encrypt},
                                       {"decrypt", crypto_decrypt},   {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  if (core::Device::from(L).options().firmware <= 2) {
    static const luaL_Reg upto_v2[] = {{"toHex", crypto_encode<encoder::to_hex>},
                                       {"toBase64", crypto_encode<encoder::to_base64>},
                                       {nullptr, nullptr}};
    luaL_register(L, nullptr, upto_v2);
  }
  return 1;
}

}  // namespace nodemcu_emu::modules
