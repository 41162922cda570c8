package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  private static final TrustedProxies LOCAL_NGINX = TrustedProxies.parse("127.0.0.1", "test");

  @Test
  void withoutTrustedProxiesTheForwardedHeaderIsIgnored() {
    assertEquals(
        "10.1.2.3", TrustedProxies.none().clientAddress("10.1.2.3", List.of("198.51.100.7")));
  }

  @Test
  void aTrustedProxysForwardedClientIsTheAddress() {
    assertEquals("198.51.100.7", LOCAL_NGINX.clientAddress("127.0.0.1", List.of("198.51.100.7")));
  }

  @Test
  void anUntrustedPeerCannotNameAnotherAddress() {
    assertEquals("203.0.113.9", LOCAL_NGINX.clientAddress("203.0.113.9", List.of("198.51.100.7")));
  }

  @Test
  void whatTheClientWroteLeftOfTheProxysEntryIsIgnored() {
    // The client sent "X-Forwarded-For: 192.0.2.1"; nginx appended the address it saw.
    assertEquals(
        "198.51.100.7", LOCAL_NGINX.clientAddress("127.0.0.1", List.of("192.0.2.1, 198.51.100.7")));
  }

  @Test
  void aChainOfTrustedProxiesIsWalkedFromTheRight() {
    TrustedProxies proxies = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8", "test");
    assertEquals(
        "198.51.100.7",
        proxies.clientAddress("127.0.0.1", List.of("192.0.2.1, 198.51.100.7", "10.4.5.6")));
  }

  @Test
  void whenEveryHopIsTrustedTheLeftmostIsTheClient() {
    TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8,127.0.0.1", "test");
    assertEquals("10.0.0.5", proxies.clientAddress("127.0.0.1", List.of("10.0.0.5, 10.9.9.9")));
  }

  @Test
  void anEntryThatIsNotAnAddressEndsTheWalkAtTheLastTrustedHop() {
    TrustedProxies proxies = TrustedProxies.parse("127.0.0.1,10.0.0.0/8", "test");
    assertEquals(
        "10.4.5.6", proxies.clientAddress("127.0.0.1", List.of("198.51.100.7, unknown, 10.4.5.6")));
    assertEquals("127.0.0.1", LOCAL_NGINX.clientAddress("127.0.0.1", List.of("evil.example")));
  }

  @Test
  void aTrustedPeerWithoutTheHeaderIsItself() {
    assertEquals("127.0.0.1", LOCAL_NGINX.clientAddress("127.0.0.1", List.of()));
  }

  @Test
  void cidrBlocksMatchByPrefixBits() {
    TrustedProxies proxies = TrustedProxies.parse("172.16.0.0/12, fd00::/8", "test");
    assertEquals("1.2.3.4", proxies.clientAddress("172.31.255.1", List.of("1.2.3.4")));
    assertEquals("172.32.0.1", proxies.clientAddress("172.32.0.1", List.of("1.2.3.4")));
    assertEquals("1.2.3.4", proxies.clientAddress("fd12:3456::1", List.of("1.2.3.4")));
    assertEquals("fe80::1", proxies.clientAddress("fe80::1", List.of("1.2.3.4")));
  }

  @Test
  void ipv4MappedIpv6PeersMatchIpv4Ranges() {
    assertEquals(
        "198.51.100.7", LOCAL_NGINX.clientAddress("::ffff:127.0.0.1", List.of("198.51.100.7")));
  }

  @Test
  void hostNamesAndBadPrefixesAreConfigurationErrorsNamingTheSource() {
    for (String bad : List.of("nginx.internal", "10.0.0.0/33", "10.0.0.0/x", "300.1.1.1", "::g")) {
      ConfigException error =
          assertThrows(
              ConfigException.class,
              () -> TrustedProxies.parse(bad, "HERALD_TRUSTED_PROXIES"),
              bad);
      assertTrue(error.getMessage().contains("HERALD_TRUSTED_PROXIES"), error.getMessage());
    }
  }

  @Test
  void theLoaderReadsHeraldTrustedProxiesAndDefaultsToNobody() {
    ServerConfig unset = ConfigLoader.load(ConfigLoader.parseArgs(List.of()), Map.of()).server();
    assertTrue(unset.trustedProxies().isEmpty());

    ServerConfig set =
        ConfigLoader.load(
                ConfigLoader.parseArgs(List.of()),
                Map.of("HERALD_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8"))
            .server();
    assertEquals(
        "198.51.100.7", set.trustedProxies().clientAddress("10.2.3.4", List.of("198.51.100.7")));
  }
}
