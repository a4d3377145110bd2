export const id = 793;
export const ids = [793];
export const modules = {

/***/ 6793:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   makeTlsMaterial: () => (/* binding */ makeTlsMaterial),
/* harmony export */   writeTlsMaterial: () => (/* binding */ writeTlsMaterial)
/* harmony export */ });
/* unused harmony exports DEFAULT_SANS, hexIPv6 */
/* harmony import */ var reflect_metadata__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(477);
/* harmony import */ var reflect_metadata__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(reflect_metadata__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8927);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_5__);
/**
 * Short-lived certificates for one job's daemon: a CA, a server certificate
 * and a client certificate, all ECDSA P-256 (a key takes about a millisecond
 * to make; the image's own 4096-bit RSA keys take seconds). The CA's private
 * key never leaves this process: it signs the two certificates and is
 * dropped, so nothing can issue another certificate for this daemon.
 *
 * X.509 through @peculiar/x509 (a maintained library on WebCrypto), not
 * hand-written ASN.1.
 */






// @peculiar/x509 types its provider with the DOM's Crypto; Node's webcrypto is that API.
_peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .cryptoProvider */ .Ve.set(node_crypto__WEBPACK_IMPORTED_MODULE_2__.webcrypto);
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
/** Names the server certificate always carries: the host's loopback and GitLab's service alias. */
const DEFAULT_SANS = ['localhost', '127.0.0.1', '::1', 'docker'];
async function makeTlsMaterial(options = {}) {
    const now = options.now ?? new Date();
    // A little slack backwards for clocks that disagree between host and container.
    const notBefore = new Date(now.getTime() - 5 * 60_000);
    const notAfter = new Date(now.getTime() + (options.validHours ?? 24) * 3_600_000);
    const serial = () => `01${(0,node_crypto__WEBPACK_IMPORTED_MODULE_2__.randomBytes)(15).toString('hex')}`; // positive, 128 bits of randomness
    const [caKeys, serverKeys, clientKeys] = await Promise.all([newKeys(), newKeys(), newKeys()]);
    const ca = await _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .X509CertificateGenerator */ .Jy.createSelfSigned({
        serialNumber: serial(),
        name: `CN=setup-dind CA ${(0,node_crypto__WEBPACK_IMPORTED_MODULE_2__.randomBytes)(4).toString('hex')}`,
        notBefore,
        notAfter,
        signingAlgorithm: ALGORITHM,
        keys: caKeys,
        extensions: [
            new _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .BasicConstraintsExtension */ .WA(true, 0, true),
            new _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .KeyUsagesExtension */ .hy(_peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .KeyUsageFlags */ .Ob.keyCertSign | _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .KeyUsageFlags */ .Ob.cRLSign, true),
            await _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .SubjectKeyIdentifierExtension */ .QE.create(caKeys.publicKey),
        ],
    });
    const issue = async (subject, publicKey, extensions) => _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .X509CertificateGenerator */ .Jy.create({
        serialNumber: serial(),
        subject,
        issuer: ca.subject,
        notBefore,
        notAfter,
        signingAlgorithm: ALGORITHM,
        publicKey,
        signingKey: caKeys.privateKey,
        extensions: [
            new _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .BasicConstraintsExtension */ .WA(false, undefined, true),
            new _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .KeyUsagesExtension */ .hy(_peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .KeyUsageFlags */ .Ob.digitalSignature, true),
            await _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .AuthorityKeyIdentifierExtension */ .Z$.create(ca, false),
            ...extensions,
        ],
    });
    const sans = [...new Set([...DEFAULT_SANS, ...(options.sans ?? [])])].map((name) => (0,node_net__WEBPACK_IMPORTED_MODULE_4__.isIP)(name) === 0 ? { type: 'dns', value: name } : { type: 'ip', value: hexIPv6(name) });
    const server = await issue('CN=setup-dind server', serverKeys.publicKey, [
        new _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .ExtendedKeyUsageExtension */ .j6([_peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .ExtendedKeyUsage */ .CD.serverAuth]),
        new _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .SubjectAlternativeNameExtension */ .Wx(sans),
    ]);
    const client = await issue('CN=setup-dind client', clientKeys.publicKey, [
        new _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .ExtendedKeyUsageExtension */ .j6([_peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .ExtendedKeyUsage */ .CD.clientAuth]),
    ]);
    return {
        caCert: ca.toString('pem'),
        serverCert: server.toString('pem'),
        serverKey: await privateKeyPem(serverKeys.privateKey),
        clientCert: client.toString('pem'),
        clientKey: await privateKeyPem(clientKeys.privateKey),
    };
}
/**
 * IPv6 with an embedded IPv4 part (::ffff:10.0.0.1) in all-hex form
 * (::ffff:a00:1): the X.509 library misreads the dotted part.
 */
function hexIPv6(address) {
    const embedded = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
    if ((0,node_net__WEBPACK_IMPORTED_MODULE_4__.isIP)(address) !== 6 || !embedded)
        return address;
    const [a, b, c, d] = embedded.slice(2).map(Number);
    return `${embedded[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}
function newKeys() {
    return node_crypto__WEBPACK_IMPORTED_MODULE_2__.webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}
async function privateKeyPem(key) {
    return _peculiar_x509__WEBPACK_IMPORTED_MODULE_1__/* .PemConverter */ .v6.encode(await node_crypto__WEBPACK_IMPORTED_MODULE_2__.webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}
/**
 * Writes the certificates in the layout of the docker:dind image
 * ($DOCKER_TLS_CERTDIR/{ca,server,client}/…), without the CA key. Returns the
 * client directory, which is what DOCKER_CERT_PATH names.
 */
async function writeTlsMaterial(dir, material) {
    const files = [
        ['ca/cert.pem', material.caCert, 0o644],
        ['server/ca.pem', material.caCert, 0o644],
        ['server/cert.pem', material.serverCert, 0o644],
        ['server/key.pem', material.serverKey, 0o600],
        ['client/ca.pem', material.caCert, 0o644],
        ['client/cert.pem', material.clientCert, 0o644],
        ['client/key.pem', material.clientKey, 0o600],
    ];
    for (const sub of ['ca', 'server', 'client'])
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.mkdir)((0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(dir, sub), { recursive: true, mode: 0o700 });
    for (const [path, text, mode] of files) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.writeFile)((0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(dir, path), text, { mode, flag: 'wx' });
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.chmod)((0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(dir, path), mode); // the umask may have taken bits writeFile asked for
    }
    return { serverDir: (0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(dir, 'server'), clientDir: (0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(dir, 'client') };
}


/***/ })

};

//# sourceMappingURL=chunk-07148b8246246992.js.map
