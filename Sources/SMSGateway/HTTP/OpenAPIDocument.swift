/// The OpenAPI 3.1 document of the gateway's HTTP API, written by hand next to the server it describes
/// (the server came first; generating it from the document with swift-openapi-generator would have
/// meant rewriting every handler, its problem answers and Kannel's text replies).
///
/// It is served at `GET /openapi.json`, printed by `smskit gateway openapi`, and kept in the repository
/// as `docs/openapi.json`, which that command writes (`smskit gateway openapi > docs/openapi.json`).
/// Tests check that the router's (method, path) pairs are exactly the document's, that
/// `docs/openapi.json` is this text, and schemathesis checks the live gateway against it.
public enum OpenAPIDocument {
    /// The document, as JSON text.
    public static let json: String = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "SMSKit gateway API",
        "version": "1.0.0",
        "description": "The HTTP API of `smskit gateway` (docs/gateway.md). JSON in snake_case; dates are ISO 8601 in UTC with milliseconds. Every error is an RFC 9457 problem (`application/problem+json`); every response carries `X-Request-Id`. Every endpoint but /health, /metrics, /openapi.json and Kannel's /cgi-bin/sendsms needs `Authorization: Bearer TOKEN`. A path served with other methods answers 405 with `Allow`."
      },
      "security": [
        {
          "bearer": []
        }
      ],
      "paths": {
        "/v1/messages": {
          "post": {
            "operationId": "sendMessage",
            "summary": "Send an SMS",
            "description": "Stores the message and its parts before answering 202. A repeat with the same `Idempotency-Key` and body answers the first message with `Idempotent-Replayed: true`. With `secure` (gateways started with `--identity`) the message is sealed for an enrolled peer after the 202 (`SecureTarget`).",
            "parameters": [
              {
                "name": "Idempotency-Key",
                "in": "header",
                "schema": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 255
                },
                "description": "1–255 printable ASCII characters."
              }
            ],
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/SendMessageRequest"
                  }
                }
              }
            },
            "responses": {
              "202": {
                "description": "Accepted and committed.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Message"
                    }
                  }
                },
                "headers": {
                  "Location": {
                    "description": "The new resource's path.",
                    "schema": {
                      "type": "string"
                    }
                  },
                  "Idempotent-Replayed": {
                    "description": "`true` when this answers a repeat with the first message of the key.",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "true"
                      ]
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Problem400"
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "409": {
                "$ref": "#/components/responses/Problem409"
              },
              "413": {
                "$ref": "#/components/responses/Problem413"
              },
              "415": {
                "$ref": "#/components/responses/Problem415"
              },
              "422": {
                "$ref": "#/components/responses/Problem422"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          },
          "get": {
            "operationId": "listMessages",
            "summary": "List messages in creation order",
            "parameters": [
              {
                "name": "status",
                "in": "query",
                "schema": {
                  "$ref": "#/components/schemas/MessageStatus"
                },
                "description": "Only messages in this state."
              },
              {
                "name": "after",
                "in": "query",
                "schema": {
                  "type": "string",
                  "maxLength": 128
                },
                "description": "A message id: the page starts after it."
              },
              {
                "name": "limit",
                "in": "query",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 500
                },
                "description": "Page size (default 100, at most the configured maximum, 500 by default)."
              }
            ],
            "responses": {
              "200": {
                "description": "A page.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/MessagePage"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "422": {
                "$ref": "#/components/responses/Problem422"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/v1/messages/{id}": {
          "parameters": [
            {
              "name": "id",
              "in": "path",
              "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128
              },
              "description": "The message's id.",
              "required": true
            }
          ],
          "get": {
            "operationId": "getMessage",
            "summary": "One message with its parts",
            "responses": {
              "200": {
                "description": "The message.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Message"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          },
          "delete": {
            "operationId": "cancelMessage",
            "summary": "Cancel a queued or scheduled message",
            "responses": {
              "200": {
                "description": "Canceled.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Message"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "409": {
                "$ref": "#/components/responses/Problem409"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/v1/inbox": {
          "get": {
            "operationId": "inbox",
            "summary": "Received messages in commit order (long poll)",
            "parameters": [
              {
                "name": "after",
                "in": "query",
                "schema": {
                  "type": "integer",
                  "minimum": 0
                },
                "description": "The last cursor seen (0: from the start)."
              },
              {
                "name": "limit",
                "in": "query",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 500
                },
                "description": "Page size (default 100, at most the configured maximum, 500 by default)."
              },
              {
                "name": "wait",
                "in": "query",
                "schema": {
                  "type": "number",
                  "minimum": 0
                },
                "description": "Seconds to wait for a message when none is there (capped at the configured maximum, 60 s by default)."
              }
            ],
            "responses": {
              "200": {
                "description": "A page (empty when the wait ended with nothing new).",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/InboxPage"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "422": {
                "$ref": "#/components/responses/Problem422"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/v1/modems": {
          "get": {
            "operationId": "modems",
            "summary": "The modems and their live state",
            "responses": {
              "200": {
                "description": "The modems.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/ModemList"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              }
            }
          }
        },
        "/v1/modems/{id}/suspend": {
          "parameters": [
            {
              "name": "id",
              "in": "path",
              "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128
              },
              "description": "The modem's id.",
              "required": true
            }
          ],
          "post": {
            "operationId": "suspendModem",
            "summary": "Take no new message on the modem (the one in hand is finished): suspended",
            "responses": {
              "200": {
                "description": "The modem, with its new state.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Modem"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              }
            }
          }
        },
        "/v1/modems/{id}/resume": {
          "parameters": [
            {
              "name": "id",
              "in": "path",
              "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128
              },
              "description": "The modem's id.",
              "required": true
            }
          ],
          "post": {
            "operationId": "resumeModem",
            "summary": "Take messages again (after suspend or drain)",
            "responses": {
              "200": {
                "description": "The modem, with its new state.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Modem"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              }
            }
          }
        },
        "/v1/modems/{id}/drain": {
          "parameters": [
            {
              "name": "id",
              "in": "path",
              "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128
              },
              "description": "The modem's id.",
              "required": true
            }
          ],
          "post": {
            "operationId": "drainModem",
            "summary": "Finish the message in hand, take nothing new: draining, then drained (safe to unplug)",
            "responses": {
              "200": {
                "description": "The modem, with its new state.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Modem"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              }
            }
          }
        },
        "/v1/webhooks": {
          "post": {
            "operationId": "createWebhook",
            "summary": "Register a webhook",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/WebhookCreateRequest"
                  }
                }
              }
            },
            "responses": {
              "201": {
                "description": "Registered; the secret is shown only now.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/WebhookCreated"
                    }
                  }
                },
                "headers": {
                  "Location": {
                    "description": "The new resource's path.",
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Problem400"
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "413": {
                "$ref": "#/components/responses/Problem413"
              },
              "415": {
                "$ref": "#/components/responses/Problem415"
              },
              "422": {
                "$ref": "#/components/responses/Problem422"
              },
              "501": {
                "$ref": "#/components/responses/Problem501"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          },
          "get": {
            "operationId": "listWebhooks",
            "summary": "The registered webhooks",
            "responses": {
              "200": {
                "description": "The webhooks.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/WebhookPage"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "501": {
                "$ref": "#/components/responses/Problem501"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/v1/webhooks/{id}": {
          "parameters": [
            {
              "name": "id",
              "in": "path",
              "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128
              },
              "description": "The webhook's id.",
              "required": true
            }
          ],
          "get": {
            "operationId": "getWebhook",
            "summary": "One webhook",
            "responses": {
              "200": {
                "description": "The webhook.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Webhook"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "501": {
                "$ref": "#/components/responses/Problem501"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          },
          "delete": {
            "operationId": "deleteWebhook",
            "summary": "Delete a webhook and its pending deliveries",
            "responses": {
              "204": {
                "description": "Deleted."
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "501": {
                "$ref": "#/components/responses/Problem501"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/v1/webhooks/{id}/deliveries": {
          "parameters": [
            {
              "name": "id",
              "in": "path",
              "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128
              },
              "description": "The webhook's id.",
              "required": true
            }
          ],
          "get": {
            "operationId": "webhookDeliveries",
            "summary": "Recent delivery attempts, newest first",
            "parameters": [
              {
                "name": "limit",
                "in": "query",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 500
                },
                "description": "Page size (default 100, at most the configured maximum, 500 by default)."
              }
            ],
            "responses": {
              "200": {
                "description": "The attempts.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/WebhookAttempts"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "422": {
                "$ref": "#/components/responses/Problem422"
              },
              "501": {
                "$ref": "#/components/responses/Problem501"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/v1/callbacks/secret": {
          "get": {
            "operationId": "callbackSecret",
            "summary": "The secret that signs status_callback and dlr-url deliveries",
            "responses": {
              "200": {
                "description": "The secret.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/CallbackSecret"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "501": {
                "$ref": "#/components/responses/Problem501"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/v1/emulator/phones/send": {
          "post": {
            "operationId": "phoneSend",
            "summary": "A virtual phone sends an SMS to a modem (emulate mode only)",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/PhoneSendRequest"
                  }
                }
              }
            },
            "responses": {
              "202": {
                "description": "Sent into the virtual network.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Status"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Problem400"
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "413": {
                "$ref": "#/components/responses/Problem413"
              },
              "415": {
                "$ref": "#/components/responses/Problem415"
              },
              "422": {
                "$ref": "#/components/responses/Problem422"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/cgi-bin/sendsms": {
          "get": {
            "operationId": "kannelSendSMSGet",
            "summary": "Kannel's sendsms (its own credentials and text replies)",
            "security": [],
            "parameters": [
              {
                "name": "username",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "The API token's name (or a configured Kannel user); also `user`."
              },
              {
                "name": "password",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "The API token (or the Kannel user's password); also `pass`."
              },
              {
                "name": "to",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Recipients, space-separated."
              },
              {
                "name": "text",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "The text (decoded with `charset`)."
              },
              {
                "name": "from",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Kept for `%P` in DLRs."
              },
              {
                "name": "charset",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "UTF-8 by default."
              },
              {
                "name": "coding",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "0 (7-bit), 1 (8-bit), 2 (UCS-2)."
              },
              {
                "name": "udh",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "User data header (URL-encoded bytes)."
              },
              {
                "name": "mclass",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Validated, kept for `%m`."
              },
              {
                "name": "validity",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Minutes."
              },
              {
                "name": "deferred",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Minutes."
              },
              {
                "name": "priority",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "0–3."
              },
              {
                "name": "dlr-mask",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Delivery report bits: 1 delivered, 2 undelivered, 4 queued, 8 accepted by the SMSC, 16 rejected."
              },
              {
                "name": "dlr-url",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Fetched for each bit of `dlr-mask` that happens, with its escapes expanded."
              },
              {
                "name": "smsc",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Pin to the modem with this id or number."
              }
            ],
            "responses": {
              "202": {
                "description": "`0: Accepted for delivery` (the ids in `X-SMSKit-Message-Ids`).",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "400": {
                "description": "A malformed request, in Kannel's words.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "403": {
                "description": "`Authorization failed for sendsms`, or no modem for `smsc`.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "413": {
                "description": "`Request body too large, rejected`.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "503": {
                "description": "`Temporal failure, try again later.`",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          },
          "post": {
            "operationId": "kannelSendSMSPost",
            "summary": "Kannel's sendsms: a form, or the text as the body with X-Kannel-* headers",
            "security": [],
            "parameters": [
              {
                "name": "username",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "The API token's name (or a configured Kannel user); also `user`."
              },
              {
                "name": "password",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "The API token (or the Kannel user's password); also `pass`."
              },
              {
                "name": "to",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Recipients, space-separated."
              },
              {
                "name": "text",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "The text (decoded with `charset`)."
              },
              {
                "name": "from",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Kept for `%P` in DLRs."
              },
              {
                "name": "charset",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "UTF-8 by default."
              },
              {
                "name": "coding",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "0 (7-bit), 1 (8-bit), 2 (UCS-2)."
              },
              {
                "name": "udh",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "User data header (URL-encoded bytes)."
              },
              {
                "name": "mclass",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Validated, kept for `%m`."
              },
              {
                "name": "validity",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Minutes."
              },
              {
                "name": "deferred",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Minutes."
              },
              {
                "name": "priority",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "0–3."
              },
              {
                "name": "dlr-mask",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Delivery report bits: 1 delivered, 2 undelivered, 4 queued, 8 accepted by the SMSC, 16 rejected."
              },
              {
                "name": "dlr-url",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Fetched for each bit of `dlr-mask` that happens, with its escapes expanded."
              },
              {
                "name": "smsc",
                "in": "query",
                "schema": {
                  "type": "string"
                },
                "description": "Pin to the modem with this id or number."
              }
            ],
            "requestBody": {
              "content": {
                "application/x-www-form-urlencoded": {
                  "schema": {
                    "type": "object",
                    "additionalProperties": {
                      "type": "string"
                    }
                  }
                },
                "text/plain": {
                  "schema": {
                    "type": "string"
                  }
                },
                "application/octet-stream": {
                  "schema": {
                    "type": "string",
                    "format": "binary"
                  }
                }
              }
            },
            "responses": {
              "202": {
                "description": "`0: Accepted for delivery` (the ids in `X-SMSKit-Message-Ids`).",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "400": {
                "description": "A malformed request, in Kannel's words.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "403": {
                "description": "`Authorization failed for sendsms`, or no modem for `smsc`.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "413": {
                "description": "`Request body too large, rejected`.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "503": {
                "description": "`Temporal failure, try again later.`",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          }
        },
        "/health": {
          "get": {
            "operationId": "health",
            "summary": "Liveness",
            "security": [],
            "responses": {
              "200": {
                "description": "Up.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Status"
                    }
                  }
                }
              }
            }
          }
        },
        "/metrics": {
          "get": {
            "operationId": "metrics",
            "summary": "Prometheus metrics (text format 0.0.4)",
            "security": [],
            "responses": {
              "200": {
                "description": "The metrics.",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              }
            }
          }
        },
        "/openapi.json": {
          "get": {
            "operationId": "openapi",
            "summary": "This document",
            "security": [],
            "responses": {
              "200": {
                "description": "The OpenAPI 3.1 document.",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object"
                    }
                  }
                }
              }
            }
          }
        },
        "/v1/peers": {
          "post": {
            "operationId": "enrolPeer",
            "summary": "Enrol a customer's SecureSMS key",
            "description": "Binds a public key (obtained out of band) to a number and an optional customer id, in the store and in the gateway's secure engine. Only enrolled keys are accepted; replies go to the enrolled number.",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/EnrolPeerRequest"
                  }
                }
              }
            },
            "responses": {
              "201": {
                "description": "Enrolled.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Peer"
                    }
                  }
                },
                "headers": {
                  "Location": {
                    "description": "The new resource's path.",
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Problem400"
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "409": {
                "$ref": "#/components/responses/Problem409"
              },
              "413": {
                "$ref": "#/components/responses/Problem413"
              },
              "415": {
                "$ref": "#/components/responses/Problem415"
              },
              "422": {
                "$ref": "#/components/responses/Problem422"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          },
          "get": {
            "operationId": "listPeers",
            "summary": "Enrolled peers, in id order",
            "parameters": [
              {
                "name": "after",
                "in": "query",
                "schema": {
                  "type": "string",
                  "maxLength": 128
                },
                "description": "A peer id: the page starts after it."
              },
              {
                "name": "limit",
                "in": "query",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 500
                },
                "description": "Page size (default 100, at most the configured maximum, 500 by default)."
              }
            ],
            "responses": {
              "200": {
                "description": "A page of peers.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/PeerPage"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "422": {
                "$ref": "#/components/responses/Problem422"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        },
        "/v1/peers/{id}": {
          "parameters": [
            {
              "name": "id",
              "in": "path",
              "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128
              },
              "description": "The peer's id.",
              "required": true
            }
          ],
          "get": {
            "operationId": "getPeer",
            "summary": "One peer",
            "responses": {
              "200": {
                "description": "The peer.",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Peer"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          },
          "delete": {
            "operationId": "deletePeer",
            "summary": "Revoke a peer and remove it",
            "description": "Revokes the key in the secure engine (its frames are rejected, nothing more is sent to it; messages to it not yet acknowledged end `unknown` or `failed`), then removes the peer.",
            "responses": {
              "204": {
                "description": "Revoked and removed."
              },
              "401": {
                "$ref": "#/components/responses/Problem401"
              },
              "404": {
                "$ref": "#/components/responses/Problem404"
              },
              "503": {
                "$ref": "#/components/responses/Problem503"
              }
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `smskit gateway token create`."
          }
        },
        "schemas": {
          "Problem": {
            "type": "object",
            "description": "An RFC 9457 problem.",
            "required": [
              "type",
              "title",
              "status",
              "detail"
            ],
            "properties": {
              "type": {
                "type": "string",
                "description": "`urn:smskit:problem:…`"
              },
              "title": {
                "type": "string"
              },
              "status": {
                "type": "integer"
              },
              "detail": {
                "type": "string"
              },
              "instance": {
                "type": "string",
                "description": "The request path."
              },
              "field": {
                "type": "string",
                "description": "The field or parameter at fault, when known."
              }
            }
          },
          "MessageStatus": {
            "type": "string",
            "enum": [
              "scheduled",
              "queued",
              "sending",
              "sent",
              "delivered",
              "undelivered",
              "failed",
              "expired",
              "canceled",
              "unknown"
            ]
          },
          "PartStatus": {
            "type": "string",
            "enum": [
              "pending",
              "sending",
              "sent",
              "delivered",
              "undelivered",
              "failed",
              "unknown",
              "canceled"
            ]
          },
          "DeliveryGuarantee": {
            "type": "string",
            "enum": [
              "at_most_once",
              "at_least_once"
            ]
          },
          "Ports": {
            "type": "object",
            "required": [
              "dst",
              "src"
            ],
            "description": "Application port addressing (TS 23.040 §9.2.3.24.4).",
            "properties": {
              "dst": {
                "type": "integer",
                "minimum": 0,
                "maximum": 65535
              },
              "src": {
                "type": "integer",
                "minimum": 0,
                "maximum": 65535
              }
            }
          },
          "SendMessageRequest": {
            "type": "object",
            "description": "Give `text` or `data_hex`, not both, and `to` or `secure`. With `secure` the message is sealed for an enrolled peer and goes to its enrolled number: `to` (if given) must be that number, and `ports`, `from`, `send_at`, `validity` and `guarantee` are refused.",
            "oneOf": [
              {
                "required": [
                  "text"
                ]
              },
              {
                "required": [
                  "data_hex"
                ]
              }
            ],
            "properties": {
              "to": {
                "type": "string",
                "pattern": "^[-. ()]*\\+?(?:[-. ()]*[0-9]){3,20}[-. ()]*$",
                "description": "A phone number: optional `+` and 3–20 digits; spaces, dashes, dots and parentheses are dropped. Required unless `secure` is given."
              },
              "text": {
                "type": "string",
                "minLength": 1,
                "description": "GSM 7-bit when it fits, else UCS-2."
              },
              "data_hex": {
                "type": "string",
                "minLength": 2,
                "pattern": "^([0-9A-Fa-f]{2})+$",
                "description": "8-bit data as hex."
              },
              "ports": {
                "$ref": "#/components/schemas/Ports"
              },
              "from": {
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "description": "Pin to the modem with this number or id."
              },
              "report": {
                "type": "boolean",
                "default": true,
                "description": "Request status reports."
              },
              "validity": {
                "type": "integer",
                "minimum": 60,
                "maximum": 38102400,
                "description": "Seconds; also sent as TP-VP."
              },
              "send_at": {
                "type": "string",
                "format": "date-time",
                "description": "Send at or after this time (within a year)."
              },
              "priority": {
                "type": "integer",
                "minimum": 0,
                "maximum": 9,
                "default": 0,
                "description": "9 first."
              },
              "metadata": {
                "type": "object",
                "maxProperties": 32,
                "propertyNames": {
                  "minLength": 1,
                  "maxLength": 64
                },
                "additionalProperties": {
                  "type": "string",
                  "maxLength": 512
                },
                "description": "Up to 32 string pairs (keys 1–64 bytes, values at most 512 bytes), returned as given."
              },
              "guarantee": {
                "$ref": "#/components/schemas/DeliveryGuarantee"
              },
              "status_callback": {
                "type": "string",
                "format": "uri",
                "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://",
                "maxLength": 2048,
                "description": "An http(s) URL that receives each status change as a signed `message.status` event."
              },
              "secure": {
                "$ref": "#/components/schemas/SecureTarget"
              }
            },
            "anyOf": [
              {
                "required": [
                  "to"
                ]
              },
              {
                "required": [
                  "secure"
                ]
              }
            ]
          },
          "MessageError": {
            "type": "object",
            "required": [
              "code",
              "detail"
            ],
            "properties": {
              "code": {
                "type": "string"
              },
              "detail": {
                "type": "string"
              }
            }
          },
          "Part": {
            "type": "object",
            "required": [
              "seq",
              "status"
            ],
            "properties": {
              "seq": {
                "type": "integer",
                "minimum": 1
              },
              "status": {
                "$ref": "#/components/schemas/PartStatus"
              },
              "modem": {
                "type": "string"
              },
              "reference": {
                "type": "integer",
                "minimum": 0,
                "maximum": 255,
                "description": "TP-MR."
              },
              "tp_status": {
                "type": "integer",
                "description": "TP-ST of the final status report."
              },
              "error": {
                "type": "string"
              },
              "sent_at": {
                "type": "string",
                "format": "date-time"
              },
              "delivered_at": {
                "type": "string",
                "format": "date-time"
              }
            }
          },
          "Message": {
            "type": "object",
            "required": [
              "id",
              "status",
              "to",
              "segments",
              "encoding",
              "report",
              "priority",
              "guarantee",
              "parts",
              "attempts",
              "metadata",
              "created_at",
              "updated_at"
            ],
            "properties": {
              "id": {
                "type": "string"
              },
              "status": {
                "$ref": "#/components/schemas/MessageStatus"
              },
              "to": {
                "type": "string"
              },
              "from": {
                "type": "string",
                "description": "The number of the modem it went out on; before that, the `from` asked for."
              },
              "modem": {
                "type": "string",
                "description": "The id (IMEI) of the modem it went out on."
              },
              "text": {
                "type": "string"
              },
              "data_hex": {
                "type": "string"
              },
              "ports": {
                "$ref": "#/components/schemas/Ports"
              },
              "segments": {
                "type": "integer",
                "minimum": 0,
                "description": "SMS parts; 0 for a secure message (the engine decides its frames)."
              },
              "encoding": {
                "type": "string",
                "enum": [
                  "gsm7",
                  "ucs2",
                  "8bit",
                  "secure"
                ],
                "description": "`secure` for a message sent with `secure` (sealed by SecureSMS; its frames are 8-bit SMS of their own)."
              },
              "report": {
                "type": "boolean"
              },
              "priority": {
                "type": "integer",
                "minimum": 0,
                "maximum": 9
              },
              "guarantee": {
                "$ref": "#/components/schemas/DeliveryGuarantee"
              },
              "validity": {
                "type": "integer"
              },
              "parts": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Part"
                }
              },
              "error": {
                "$ref": "#/components/schemas/MessageError"
              },
              "attempts": {
                "type": "integer",
                "minimum": 0
              },
              "metadata": {
                "type": "object",
                "additionalProperties": {
                  "type": "string"
                }
              },
              "created_at": {
                "type": "string",
                "format": "date-time"
              },
              "updated_at": {
                "type": "string",
                "format": "date-time"
              },
              "send_at": {
                "type": "string",
                "format": "date-time"
              },
              "sent_at": {
                "type": "string",
                "format": "date-time"
              },
              "delivered_at": {
                "type": "string",
                "format": "date-time"
              },
              "expires_at": {
                "type": "string",
                "format": "date-time"
              },
              "secure": {
                "$ref": "#/components/schemas/SecureMessageInfo"
              }
            }
          },
          "MessagePage": {
            "type": "object",
            "required": [
              "messages",
              "next"
            ],
            "properties": {
              "messages": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Message"
                }
              },
              "next": {
                "type": [
                  "string",
                  "null"
                ],
                "description": "Pass as `after` for the next page; null when this page is empty."
              }
            }
          },
          "InboxMessage": {
            "type": "object",
            "required": [
              "id",
              "cursor",
              "from",
              "to",
              "modem",
              "received_at",
              "parts",
              "received_parts",
              "complete"
            ],
            "properties": {
              "id": {
                "type": "string"
              },
              "cursor": {
                "type": "integer",
                "minimum": 1
              },
              "from": {
                "type": "string"
              },
              "to": {
                "type": "string"
              },
              "modem": {
                "type": "string"
              },
              "text": {
                "type": "string"
              },
              "data_hex": {
                "type": "string"
              },
              "ports": {
                "$ref": "#/components/schemas/Ports"
              },
              "received_at": {
                "type": "string",
                "format": "date-time"
              },
              "parts": {
                "type": "integer",
                "minimum": 1
              },
              "received_parts": {
                "type": "array",
                "items": {
                  "type": "integer",
                  "minimum": 1
                }
              },
              "complete": {
                "type": "boolean"
              },
              "secure": {
                "$ref": "#/components/schemas/SecureInboxInfo"
              }
            }
          },
          "InboxPage": {
            "type": "object",
            "required": [
              "messages",
              "next"
            ],
            "properties": {
              "messages": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/InboxMessage"
                }
              },
              "next": {
                "type": "integer",
                "minimum": 0,
                "description": "The last cursor of this page (or `after` when empty): pass it as `after`."
              }
            }
          },
          "Modem": {
            "type": "object",
            "required": [
              "id",
              "port",
              "registered",
              "state",
              "healthy",
              "queued",
              "sent_today",
              "failed",
              "resets"
            ],
            "properties": {
              "id": {
                "type": "string"
              },
              "port": {
                "type": "string"
              },
              "number": {
                "type": "string"
              },
              "manufacturer": {
                "type": "string"
              },
              "model": {
                "type": "string"
              },
              "imei": {
                "type": "string"
              },
              "iccid": {
                "type": "string"
              },
              "operator": {
                "type": "string"
              },
              "signal": {
                "type": "integer",
                "description": "RSSI 0–31, 99 unknown (AT+CSQ)."
              },
              "registered": {
                "type": "boolean"
              },
              "state": {
                "type": "string",
                "description": "starting, ready, reconnecting, gone; or the operator's hold, which shows instead: suspended, draining, drained."
              },
              "healthy": {
                "type": "boolean"
              },
              "queued": {
                "type": "integer",
                "minimum": 0
              },
              "sent_today": {
                "type": "integer",
                "minimum": 0
              },
              "failed": {
                "type": "integer",
                "minimum": 0
              },
              "resets": {
                "type": "integer",
                "minimum": 0
              },
              "daily_cap": {
                "type": "integer"
              },
              "rate_per_minute": {
                "type": "integer"
              }
            }
          },
          "ModemList": {
            "type": "object",
            "required": [
              "modems"
            ],
            "properties": {
              "modems": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Modem"
                }
              }
            }
          },
          "WebhookEventType": {
            "type": "string",
            "enum": [
              "message.status",
              "message.received"
            ]
          },
          "WebhookCreateRequest": {
            "type": "object",
            "required": [
              "url",
              "events"
            ],
            "properties": {
              "url": {
                "type": "string",
                "format": "uri",
                "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://",
                "maxLength": 2048,
                "description": "An http(s) URL."
              },
              "events": {
                "type": "array",
                "minItems": 1,
                "items": {
                  "$ref": "#/components/schemas/WebhookEventType"
                }
              },
              "secret": {
                "type": "string",
                "minLength": 16,
                "maxLength": 256,
                "description": "The signing secret (16–256 bytes); generated when left out."
              }
            }
          },
          "Webhook": {
            "type": "object",
            "required": [
              "id",
              "kind",
              "url",
              "events",
              "created_at"
            ],
            "properties": {
              "id": {
                "type": "string"
              },
              "kind": {
                "type": "string",
                "enum": [
                  "webhook",
                  "kannel_get",
                  "kannel_post",
                  "callbacks"
                ]
              },
              "url": {
                "type": "string"
              },
              "events": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/WebhookEventType"
                }
              },
              "created_at": {
                "type": "string",
                "format": "date-time"
              }
            }
          },
          "WebhookCreated": {
            "type": "object",
            "required": [
              "id",
              "kind",
              "url",
              "events",
              "created_at",
              "secret"
            ],
            "description": "The webhook and, this once, its secret.",
            "properties": {
              "id": {
                "type": "string"
              },
              "kind": {
                "type": "string",
                "enum": [
                  "webhook"
                ]
              },
              "url": {
                "type": "string"
              },
              "events": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/WebhookEventType"
                }
              },
              "created_at": {
                "type": "string",
                "format": "date-time"
              },
              "secret": {
                "type": "string"
              }
            }
          },
          "WebhookPage": {
            "type": "object",
            "required": [
              "webhooks"
            ],
            "properties": {
              "webhooks": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Webhook"
                }
              }
            }
          },
          "WebhookAttempt": {
            "type": "object",
            "required": [
              "event_id",
              "event_type",
              "attempt",
              "at",
              "duration_ms",
              "state"
            ],
            "properties": {
              "event_id": {
                "type": "string"
              },
              "event_type": {
                "type": "string"
              },
              "attempt": {
                "type": "integer",
                "minimum": 1
              },
              "at": {
                "type": "string",
                "format": "date-time"
              },
              "status_code": {
                "type": "integer"
              },
              "error": {
                "type": "string"
              },
              "duration_ms": {
                "type": "integer",
                "minimum": 0
              },
              "state": {
                "type": "string",
                "description": "The delivery's state after this attempt: pending, delivered, gave_up."
              }
            }
          },
          "WebhookAttempts": {
            "type": "object",
            "required": [
              "deliveries"
            ],
            "properties": {
              "deliveries": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/WebhookAttempt"
                }
              }
            }
          },
          "CallbackSecret": {
            "type": "object",
            "required": [
              "secret"
            ],
            "properties": {
              "secret": {
                "type": "string"
              }
            }
          },
          "PhoneSendRequest": {
            "type": "object",
            "required": [
              "from",
              "to",
              "text"
            ],
            "properties": {
              "from": {
                "type": "string",
                "pattern": "^[-. ()]*\\+?(?:[-. ()]*[0-9]){3,20}[-. ()]*$",
                "description": "The virtual phone's number (+1999…)."
              },
              "to": {
                "type": "string",
                "pattern": "^[-. ()]*\\+?(?:[-. ()]*[0-9]){3,20}[-. ()]*$",
                "description": "A gateway modem's number."
              },
              "text": {
                "type": "string",
                "minLength": 1
              }
            }
          },
          "Status": {
            "type": "object",
            "required": [
              "status"
            ],
            "properties": {
              "status": {
                "type": "string"
              }
            }
          },
          "SecureTarget": {
            "type": "object",
            "required": [
              "peer"
            ],
            "properties": {
              "peer": {
                "type": "string",
                "minLength": 1,
                "description": "The id of an enrolled peer (`POST /v1/peers`)."
              }
            },
            "description": "Seal the message with SecureSMS for this peer (gateways started with `--identity`). It is committed before the 202, sealed by the gateway's secure engine, and its frames go out as 8-bit data SMS to port 9208. Its status then follows the protocol: `sent` once sealed, `delivered` on the peer's SecureSMS acknowledgement, `unknown` if it went out but was never acknowledged, `failed` if it was never sent (for instance `no_session`: a bank replies only inside a session the customer's app opened)."
          },
          "SecureMessageInfo": {
            "type": "object",
            "required": [
              "peer",
              "state"
            ],
            "description": "Present on messages sent with `secure`.",
            "properties": {
              "peer": {
                "type": "string",
                "description": "The peer's id."
              },
              "state": {
                "type": "string",
                "enum": [
                  "pending",
                  "sealing",
                  "sealed",
                  "done"
                ],
                "description": "`pending`: committed, not yet sealed; `sealing`: the engine is sealing it; `sealed`: the engine holds it and its frames are queued; `done`: settled."
              }
            }
          },
          "SecureInboxInfo": {
            "type": "object",
            "required": [
              "public_key",
              "verified",
              "replay_protected"
            ],
            "description": "Present on messages from a secure peer: `text` / `data_hex` hold the plaintext the engine authenticated.",
            "properties": {
              "peer": {
                "type": "string",
                "description": "The peer's id (absent if the peer was deleted since)."
              },
              "public_key": {
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": "The sender's public key."
              },
              "verified": {
                "type": "boolean",
                "description": "The key was enrolled (always true: the gateway accepts enrolled keys only)."
              },
              "replay_protected": {
                "type": "boolean",
                "description": "False for the first message of a session (the 0-RTT first contact): act on it only idempotently until a later message of the session arrives (docs/protocol.md §3.1)."
              },
              "customer_id": {
                "type": "string",
                "description": "The customer id the key was enrolled for."
              }
            }
          },
          "EnrolPeerRequest": {
            "type": "object",
            "required": [
              "public_key",
              "number"
            ],
            "properties": {
              "public_key": {
                "type": "string",
                "pattern": "^[0-9A-Fa-f]{64}$",
                "description": "The customer's X25519 public key, 64 hex digits, as `smskit keys show` prints it. Low-order points and the gateway's own key are refused."
              },
              "number": {
                "type": "string",
                "pattern": "^[-. ()]*\\+?(?:[-. ()]*[0-9]){3,20}[-. ()]*$",
                "description": "The customer's number: replies go there, never to the number a frame came from."
              },
              "customer_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128,
                "description": "The bank's customer id for this key."
              }
            }
          },
          "Peer": {
            "type": "object",
            "required": [
              "id",
              "public_key",
              "fingerprint",
              "number",
              "created_at"
            ],
            "properties": {
              "id": {
                "type": "string"
              },
              "public_key": {
                "type": "string",
                "pattern": "^[0-9a-f]{64}$"
              },
              "fingerprint": {
                "type": "string",
                "description": "Five groups of four letters, to compare aloud."
              },
              "number": {
                "type": "string"
              },
              "customer_id": {
                "type": "string"
              },
              "created_at": {
                "type": "string",
                "format": "date-time"
              }
            }
          },
          "PeerPage": {
            "type": "object",
            "required": [
              "peers"
            ],
            "properties": {
              "peers": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Peer"
                }
              },
              "next": {
                "type": "string",
                "description": "Pass as `after` for the next page; absent on the last page."
              }
            }
          }
        },
        "responses": {
          "Problem400": {
            "description": "Malformed body: not JSON, or a field of the wrong type (`urn:smskit:problem:malformed-body`; `field` names it when known).",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "Problem401": {
            "description": "Missing, malformed or unknown bearer token (`urn:smskit:problem:unauthorized`), with `WWW-Authenticate: Bearer`.",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "Problem404": {
            "description": "Unknown id, or an endpoint not available in this mode (`urn:smskit:problem:not-found`). Also every secure endpoint (`/v1/peers`, `secure` messages) on a gateway started without `--identity` (`urn:smskit:problem:secure-not-configured`).",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "Problem409": {
            "description": "The Idempotency-Key came before with another body (`urn:smskit:problem:idempotency-conflict`), or the message can no longer be canceled (`urn:smskit:problem:not-cancelable`). For `POST /v1/peers`: the public key is already enrolled (`urn:smskit:problem:peer-exists`; the detail names that peer).",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "Problem413": {
            "description": "More segments than `max_segments` (`urn:smskit:problem:message-too-long`), or a body over the limit, 64 KiB by default (`urn:smskit:problem:body-too-large`).",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "Problem415": {
            "description": "The body is not declared as JSON (`urn:smskit:problem:unsupported-media-type`).",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "Problem422": {
            "description": "A field or parameter with a bad value (`urn:smskit:problem:invalid-field`; `field` names it).",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "Problem501": {
            "description": "Webhooks need a store with an outbox; this gateway's store has none (`urn:smskit:problem:not-implemented`).",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "Problem503": {
            "description": "The store failed and nothing was committed (`urn:smskit:problem:store-unavailable`): retry, with the same Idempotency-Key.",
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    }
    """#
}
