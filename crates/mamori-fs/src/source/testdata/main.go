package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"fmt"
)

func main() {
	key, err := rsa.GenerateKey(rand.Reader, 1024) // expect: alg:RSA-1024
	if err != nil {
		panic(err)
	}
	fmt.Println(key.N.BitLen())

	sum := md5.Sum([]byte("hello")) // expect: alg:MD5
	fmt.Printf("%x\n", sum)

	block, _ := aes.NewCipher(make([]byte, 32)) // expect: alg:AES-GCM
	gcm, _ := cipher.NewGCM(block)
	fmt.Println(gcm.NonceSize())

	cfg := &tls.Config{MinVersion: tls.VersionTLS10} // expect: proto:tls-1.0
	fmt.Println(cfg.MinVersion)

	dk, _ := mlkem.GenerateKey768() // expect: alg:ML-KEM-768
	fmt.Println(len(dk.EncapsulationKey().Bytes()))
}
