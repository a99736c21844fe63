using System;
using System.Net;
using System.Security.Cryptography;

namespace Legacy
{
    /// <summary>Tokens. MD5.Create() was dropped in 2020.</summary>
    public static class Tokens
    {
        public static byte[] Hash(byte[] data)
        {
            using var sha = SHA1.Create(); // expect: alg:SHA-1
            return sha.ComputeHash(data);
        }

        public static byte[] Encrypt(byte[] key, byte[] data)
        {
            using var aes = Aes.Create(); // expect: alg:AES-ECB
            aes.Key = key;
            aes.Mode = CipherMode.ECB;
            return aes.CreateEncryptor().TransformFinalBlock(data, 0, data.Length);
        }

        public static RSA Keys()
        {
            return RSA.Create(1024); // expect: alg:RSA-1024
        }

        public static byte[] Derive(string pw, byte[] salt)
        {
            // new Rfc2898DeriveBytes(pw, salt, 1000) used SHA-1
            return Rfc2898DeriveBytes.Pbkdf2(pw, salt, 600000, HashAlgorithmName.SHA256, 32); // expect: alg:PBKDF2-SHA-256 alg:SHA-256
        }

        public static void Tls()
        {
            ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls11; // expect: proto:tls-1.1
        }
    }
}
