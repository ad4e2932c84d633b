-- CreateTable
CREATE TABLE "XcapDocument" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "server" TEXT NOT NULL,
    "auid" TEXT NOT NULL,
    "tree" TEXT NOT NULL,
    "xui" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "selector" TEXT NOT NULL,
    "owner" TEXT,
    "contentType" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "XcapDocumentVersion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "documentId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "etag" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "XcapDocumentVersion_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "XcapDocument" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "server" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "callId" TEXT NOT NULL,
    "remoteTag" TEXT NOT NULL,
    "localTag" TEXT NOT NULL,
    "subscriber" TEXT NOT NULL,
    "remoteUri" TEXT NOT NULL,
    "localUri" TEXT NOT NULL,
    "remoteTarget" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "routeSet" TEXT NOT NULL DEFAULT '[]',
    "resources" TEXT NOT NULL,
    "notifiedEtags" TEXT NOT NULL DEFAULT '{}',
    "localCseq" INTEGER NOT NULL DEFAULT 0,
    "remoteCseq" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "mcpttId" TEXT,
    "mcvideoId" TEXT,
    "mcdataId" TEXT,
    "displayName" TEXT,
    "entitlements" TEXT NOT NULL DEFAULT '[]',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MigrationAuthorization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "server" TEXT NOT NULL,
    "mcpttId" TEXT NOT NULL,
    "homeSystemId" TEXT NOT NULL,
    "partnerSystemId" TEXT NOT NULL,
    "profileSelector" TEXT,
    "accessProfiles" TEXT NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SigningKey" (
    "kid" TEXT NOT NULL PRIMARY KEY,
    "server" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "privateJwk" TEXT NOT NULL,
    "publicJwk" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" DATETIME,
    "notAfter" DATETIME
);

-- CreateTable
CREATE TABLE "OidcPayload" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "server" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "grantId" TEXT,
    "userCode" TEXT,
    "uid" TEXT,
    "expiresAt" DATETIME,
    "consumedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "XcapDocument_server_auid_xui_idx" ON "XcapDocument"("server", "auid", "xui");

-- CreateIndex
CREATE UNIQUE INDEX "XcapDocument_server_selector_key" ON "XcapDocument"("server", "selector");

-- CreateIndex
CREATE UNIQUE INDEX "XcapDocumentVersion_documentId_version_key" ON "XcapDocumentVersion"("documentId", "version");

-- CreateIndex
CREATE INDEX "Subscription_server_subscriber_idx" ON "Subscription"("server", "subscriber");

-- CreateIndex
CREATE INDEX "Subscription_server_expiresAt_idx" ON "Subscription"("server", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_server_callId_remoteTag_localTag_key" ON "Subscription"("server", "callId", "remoteTag", "localTag");

-- CreateIndex
CREATE UNIQUE INDEX "Account_username_key" ON "Account"("username");

-- CreateIndex
CREATE UNIQUE INDEX "Account_mcpttId_key" ON "Account"("mcpttId");

-- CreateIndex
CREATE UNIQUE INDEX "MigrationAuthorization_server_mcpttId_homeSystemId_key" ON "MigrationAuthorization"("server", "mcpttId", "homeSystemId");

-- CreateIndex
CREATE INDEX "SigningKey_server_status_idx" ON "SigningKey"("server", "status");

-- CreateIndex
CREATE INDEX "OidcPayload_grantId_idx" ON "OidcPayload"("grantId");

-- CreateIndex
CREATE INDEX "OidcPayload_uid_idx" ON "OidcPayload"("uid");

-- CreateIndex
CREATE INDEX "OidcPayload_userCode_idx" ON "OidcPayload"("userCode");

-- CreateIndex
CREATE INDEX "OidcPayload_expiresAt_idx" ON "OidcPayload"("expiresAt");
