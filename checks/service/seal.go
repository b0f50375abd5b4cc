package service

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// keyring seals and opens cookie values with AES-256-GCM. The first key
// seals; every key opens, so a new key can be rolled out first in second
// place (every replica can read it), then moved to the front, and the old
// one dropped once the longest session lifetime has passed.
type keyring struct {
	keys []sealKey
}

type sealKey struct {
	id   [4]byte
	aead cipher.AEAD
}

// sealVersion is the first byte of every sealed value.
const sealVersion = 1

var errBadSeal = errors.New("cookie is not sealed by a current key")

// ParseSessionKeys decodes a LIVEDOCS_SESSION_KEYS value: keys separated by
// commas or spaces, each 32 bytes in standard or URL-safe base64 (with or
// without padding) or 64 hex digits.
func ParseSessionKeys(s string) ([][]byte, error) {
	var out [][]byte
	for i, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		k, err := decodeKey(f)
		if err != nil {
			return nil, fmt.Errorf("parse session key %d: %w", i+1, err)
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, errors.New("parse session keys: no keys")
	}
	return out, nil
}

func decodeKey(s string) ([]byte, error) {
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != 32 {
				return nil, fmt.Errorf("key is %d bytes, want 32", len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("key is neither base64 nor hex")
}

func newKeyring(keys [][]byte) (*keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("create keyring: no session keys")
	}
	kr := &keyring{}
	for i, k := range keys {
		if len(k) != 32 {
			return nil, fmt.Errorf("create keyring: key %d is %d bytes, want 32", i+1, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("create keyring: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("create keyring: %w", err)
		}
		sum := sha256.Sum256(append([]byte("livedocs session key id\x00"), k...))
		var sk sealKey
		copy(sk.id[:], sum[:4])
		sk.aead = aead
		kr.keys = append(kr.keys, sk)
	}
	return kr, nil
}

// seal encrypts plain with the first key. purpose is bound in as
// additional data, so a value sealed for one cookie cannot be replayed as
// another.
func (kr *keyring) seal(purpose string, plain []byte) (string, error) {
	k := kr.keys[0]
	out := make([]byte, 0, 1+4+k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	out = append(out, sealVersion)
	out = append(out, k.id[:]...)
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal cookie: %w", err)
	}
	out = append(out, nonce...)
	out = k.aead.Seal(out, nonce, plain, []byte(purpose))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// open decrypts a value sealed by any key of the ring for purpose.
func (kr *keyring) open(purpose, s string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 1+4 || raw[0] != sealVersion {
		return nil, errBadSeal
	}
	for _, k := range kr.keys {
		if [4]byte(raw[1:5]) != k.id {
			continue
		}
		rest := raw[5:]
		if len(rest) < k.aead.NonceSize()+k.aead.Overhead() {
			return nil, errBadSeal
		}
		plain, err := k.aead.Open(nil, rest[:k.aead.NonceSize()], rest[k.aead.NonceSize():], []byte(purpose))
		if err != nil {
			return nil, errBadSeal
		}
		return plain, nil
	}
	return nil, errBadSeal
}
