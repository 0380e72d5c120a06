/*
 * words.h - the identifiers anysock-port looks at, one list: the lexer
 * marks each occurrence with its id as it reads it (one hash lookup per
 * identifier), and the rules switch on the ids.
 *
 * A word's class says which family's code it belongs to (V4, V6) or that
 * it only starts a pattern (0): the classes are how the rules tell a
 * deliberate per-family branch ("this arm is the IPv6 one") from code
 * that assumes one family.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PORT_WORDS_H
#define PORT_WORDS_H

#define WC_V4 1u /* names IPv4 */
#define WC_V6 2u /* names IPv6 */

/* X(id, text, class) */
#define PORT_WORDS(X)                                              \
	X(W_AF_INET, "AF_INET", WC_V4)                             \
	X(W_PF_INET, "PF_INET", WC_V4)                             \
	X(W_AF_INET6, "AF_INET6", WC_V6)                           \
	X(W_PF_INET6, "PF_INET6", WC_V6)                           \
	X(W_AF_UNSPEC, "AF_UNSPEC", 0)                             \
	X(W_PF_UNSPEC, "PF_UNSPEC", 0)                             \
	X(W_INADDR_ANY, "INADDR_ANY", WC_V4)                       \
	X(W_INADDR_LOOPBACK, "INADDR_LOOPBACK", WC_V4)             \
	X(W_INADDR_BROADCAST, "INADDR_BROADCAST", WC_V4)           \
	X(W_INADDR_NONE, "INADDR_NONE", WC_V4)                     \
	X(W_INET_ADDRSTRLEN, "INET_ADDRSTRLEN", WC_V4)             \
	X(W_INET6_ADDRSTRLEN, "INET6_ADDRSTRLEN", WC_V6)           \
	X(W_SOCKADDR, "sockaddr", 0)                               \
	X(W_SOCKADDR_IN, "sockaddr_in", WC_V4)                     \
	X(W_SOCKADDR_IN6, "sockaddr_in6", WC_V6)                   \
	X(W_SOCKADDR_STORAGE, "sockaddr_storage", 0)               \
	X(W_IN_ADDR, "in_addr", WC_V4)                             \
	X(W_IN6_ADDR, "in6_addr", WC_V6)                           \
	X(W_SIN_ADDR, "sin_addr", WC_V4)                           \
	X(W_SIN_PORT, "sin_port", WC_V4)                           \
	X(W_SIN_FAMILY, "sin_family", WC_V4)                       \
	X(W_S_ADDR, "s_addr", WC_V4)                               \
	X(W_SIN6_ADDR, "sin6_addr", WC_V6)                         \
	X(W_SIN6_PORT, "sin6_port", WC_V6)                         \
	X(W_SIN6_FAMILY, "sin6_family", WC_V6)                     \
	X(W_SIN6_SCOPE_ID, "sin6_scope_id", WC_V6)                 \
	X(W_S6_ADDR, "s6_addr", WC_V6)                             \
	X(W_IN6ADDR_ANY, "in6addr_any", WC_V6)                     \
	X(W_IN6ADDR_LOOPBACK, "in6addr_loopback", WC_V6)           \
	X(W_IN6ADDR_ANY_INIT, "IN6ADDR_ANY_INIT", WC_V6)           \
	X(W_SA_FAMILY, "sa_family", 0)                             \
	X(W_SS_FAMILY, "ss_family", 0)                             \
	X(W_HOSTENT, "hostent", WC_V4)                             \
	X(W_H_ADDR, "h_addr", WC_V4)                               \
	X(W_H_ADDR_LIST, "h_addr_list", WC_V4)                     \
	X(W_GETHOSTBYNAME, "gethostbyname", WC_V4)                 \
	X(W_GETHOSTBYNAME_R, "gethostbyname_r", WC_V4)             \
	X(W_GETHOSTBYNAME2, "gethostbyname2", 0)                   \
	X(W_GETHOSTBYNAME2_R, "gethostbyname2_r", 0)               \
	X(W_GETHOSTBYADDR, "gethostbyaddr", WC_V4)                 \
	X(W_GETHOSTBYADDR_R, "gethostbyaddr_r", WC_V4)             \
	X(W_INET_NTOA, "inet_ntoa", WC_V4)                         \
	X(W_INET_ADDR, "inet_addr", WC_V4)                         \
	X(W_INET_ATON, "inet_aton", WC_V4)                         \
	X(W_INET_NETWORK, "inet_network", WC_V4)                   \
	X(W_INET_MAKEADDR, "inet_makeaddr", WC_V4)                 \
	X(W_INET_LNAOF, "inet_lnaof", WC_V4)                       \
	X(W_INET_NETOF, "inet_netof", WC_V4)                       \
	X(W_INET_PTON, "inet_pton", 0)                             \
	X(W_INET_NTOP, "inet_ntop", 0)                             \
	X(W_GETADDRINFO, "getaddrinfo", 0)                         \
	X(W_GETNAMEINFO, "getnameinfo", 0)                         \
	X(W_AI_FAMILY, "ai_family", 0)                             \
	X(W_AI_ADDR, "ai_addr", 0)                                 \
	X(W_AI_NEXT, "ai_next", 0)                                 \
	X(W_AI_PASSIVE, "AI_PASSIVE", 0)                           \
	X(W_AI_V4MAPPED, "AI_V4MAPPED", 0)                         \
	X(W_IN6_IS_ADDR_V4MAPPED, "IN6_IS_ADDR_V4MAPPED", 0)       \
	X(W_SOCKET, "socket", 0)                                   \
	X(W_BIND, "bind", 0)                                       \
	X(W_CONNECT, "connect", 0)                                 \
	X(W_LISTEN, "listen", 0)                                   \
	X(W_ACCEPT, "accept", 0)                                   \
	X(W_ACCEPT4, "accept4", 0)                                 \
	X(W_SENDTO, "sendto", 0)                                   \
	X(W_RECVFROM, "recvfrom", 0)                               \
	X(W_GETPEERNAME, "getpeername", 0)                         \
	X(W_GETSOCKNAME, "getsockname", 0)                         \
	X(W_SOCK_RAW, "SOCK_RAW", 0)                               \
	X(W_SETSOCKOPT, "setsockopt", 0)                           \
	X(W_IPPROTO_IP, "IPPROTO_IP", WC_V4)                       \
	X(W_SOL_IP, "SOL_IP", WC_V4)                               \
	X(W_IPPROTO_IPV6, "IPPROTO_IPV6", WC_V6)                   \
	X(W_SOL_IPV6, "SOL_IPV6", WC_V6)                           \
	X(W_IPV6_V6ONLY, "IPV6_V6ONLY", WC_V6)                     \
	X(W_IP_TTL, "IP_TTL", WC_V4)                               \
	X(W_IP_TOS, "IP_TOS", WC_V4)                               \
	X(W_IP_MULTICAST_TTL, "IP_MULTICAST_TTL", WC_V4)           \
	X(W_IP_MULTICAST_IF, "IP_MULTICAST_IF", WC_V4)             \
	X(W_IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP", WC_V4)         \
	X(W_IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP", WC_V4)         \
	X(W_IP_DROP_MEMBERSHIP, "IP_DROP_MEMBERSHIP", WC_V4)       \
	X(W_IP_PKTINFO, "IP_PKTINFO", WC_V4)                       \
	X(W_IP_RECVDSTADDR, "IP_RECVDSTADDR", WC_V4)               \
	X(W_IP_MTU_DISCOVER, "IP_MTU_DISCOVER", WC_V4)             \
	X(W_IP_RECVERR, "IP_RECVERR", WC_V4)                       \
	X(W_IP_MREQ, "ip_mreq", WC_V4)                             \
	X(W_IP_MREQN, "ip_mreqn", WC_V4)                           \
	X(W_IPV6_JOIN_GROUP, "IPV6_JOIN_GROUP", WC_V6)             \
	X(W_IPV6_ADD_MEMBERSHIP, "IPV6_ADD_MEMBERSHIP", WC_V6)     \
	X(W_IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", WC_V6)     \
	X(W_IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF", WC_V6)         \
	X(W_IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP", WC_V6)     \
	X(W_IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", WC_V6)         \
	X(W_IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO", WC_V6)           \
	X(W_IPV6_PKTINFO, "IPV6_PKTINFO", WC_V6)                   \
	X(W_IPV6_TCLASS, "IPV6_TCLASS", WC_V6)                     \
	X(W_IPV6_RECVERR, "IPV6_RECVERR", WC_V6)                   \
	X(W_IPV6_MTU_DISCOVER, "IPV6_MTU_DISCOVER", WC_V6)         \
	X(W_IPV6_MREQ, "ipv6_mreq", WC_V6)                         \
	X(W_MCAST_JOIN_GROUP, "MCAST_JOIN_GROUP", 0)               \
	X(W_MCAST_JOIN_SOURCE_GROUP, "MCAST_JOIN_SOURCE_GROUP", 0) \
	X(W_ATOI, "atoi", 0)                                       \
	X(W_STRCHR, "strchr", 0)                                   \
	X(W_STRRCHR, "strrchr", 0)                                 \
	X(W_STRSEP, "strsep", 0)                                   \
	X(W_STRTOK, "strtok", 0)                                   \
	X(W_STRTOK_R, "strtok_r", 0)                               \
	X(W_ISDIGIT, "isdigit", 0)                                 \
	X(W_SIOCGIFADDR, "SIOCGIFADDR", WC_V4)                     \
	X(W_SIOCSIFADDR, "SIOCSIFADDR", WC_V4)                     \
	X(W_SIOCGIFNETMASK, "SIOCGIFNETMASK", WC_V4)               \
	X(W_SIOCSIFNETMASK, "SIOCSIFNETMASK", WC_V4)               \
	X(W_SIOCGIFBRDADDR, "SIOCGIFBRDADDR", WC_V4)               \
	X(W_SIOCSIFBRDADDR, "SIOCSIFBRDADDR", WC_V4)               \
	X(W_SIOCGIFDSTADDR, "SIOCGIFDSTADDR", WC_V4)               \
	X(W_SIOCSIFDSTADDR, "SIOCSIFDSTADDR", WC_V4)               \
	X(W_SIOCGIFCONF, "SIOCGIFCONF", WC_V4)

enum word {
	W_NONE,
#define PORT_WORD_ID(id, text, cls) id,
	PORT_WORDS(PORT_WORD_ID)
#undef PORT_WORD_ID
		W_COUNT,
	/* not identifiers: a character constant ':' and string classes */
	W_CHAR_COLON = W_COUNT,
	W_STRING /* a string the lexer found something in: token.aux holds S_* bits */
};

/* What the lexer finds in a string literal (token.aux). */
#define S_MAPPED 0x01u  /* "...::ffff:" or "::ffff:%...": mapped text by hand */
#define S_DOTTED 0x02u  /* "%d.%d.%d.%d" (or %u, %i): a dotted quad by hand */
#define S_FTP 0x04u     /* "%d,%d,%d,%d,%d,%d": FTP's PORT or 227 reply */
#define S_SPLIT 0x08u   /* "%[^:": sscanf splitting at ':' */
#define S_URL 0x10u     /* "://%s", "Host: %s", "CONNECT %s:": a host in a URL */
#define S_BRACKET 0x20u /* "[%s]": the host bracketed */
#define S_IPV4 0x40u    /* exactly a.b.c.d, neither loopback nor multicast */
#define S_DIGITS 0x80u  /* "0123456789." in any order: a numeric test by hand */
/* exactly "%s:%d" (or %u, %hu, %s...): host:port text */
#define S_HOSTPORT 0x100u
#define S_PASV 0x200u /* "PASV", "PASV\r\n": FTP's IPv4-only passive command */

extern const unsigned char word_class[W_COUNT];
extern const char *const word_text[W_COUNT];

#endif
