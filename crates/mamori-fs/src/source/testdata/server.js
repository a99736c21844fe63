'use strict';
const crypto = require('crypto');
const tls = require('tls');

// crypto.createHash('md5') was replaced below
function legacyToken(s) {
  return crypto.createHash('sha1').update(s).digest('hex'); // expect: alg:SHA-1
}

function encrypt(key, iv, data) {
  const c = crypto.createCipheriv('des-ede3-cbc', key, iv); // expect: alg:3DES-CBC
  return Buffer.concat([c.update(data), c.final()]);
}

const { publicKey } = crypto.generateKeyPairSync('rsa', { // expect: alg:RSA-2048
  modulusLength: 2048,
});

const server = tls.createServer({ minVersion: 'TLSv1.1' }); // expect: proto:tls-1.1
const url = "https://example.com/createHash('md5')";

module.exports = { legacyToken, encrypt, publicKey, server, url };
