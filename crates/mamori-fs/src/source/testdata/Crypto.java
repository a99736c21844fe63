import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;

/**
 * Legacy helpers. Cipher.getInstance("DES") was removed in 2019.
 */
public class Crypto {
    // Cipher.getInstance("RC4") is not used any more
    static byte[] encrypt(byte[] key, byte[] data) throws Exception {
        Cipher c = Cipher.getInstance("DES/ECB/PKCS5Padding"); // expect: alg:DES-ECB
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES")); // expect: alg:DES
        return c.doFinal(data);
    }

    static KeyPair keys() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA"); // expect: alg:RSA-1024
        kpg.initialize(1024);
        return kpg.generateKeyPair();
    }

    static byte[] digest(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data); // expect: alg:SHA-256
    }

    static SSLContext tls() throws Exception {
        return SSLContext.getInstance("TLSv1"); // expect: proto:tls-1.0
    }

    public static void main(String[] args) throws Exception {
        KeyPairGenerator mlkem = KeyPairGenerator.getInstance("ML-KEM"); // expect: alg:ML-KEM
        System.out.println(mlkem.generateKeyPair().getPublic().getAlgorithm());
    }
}
