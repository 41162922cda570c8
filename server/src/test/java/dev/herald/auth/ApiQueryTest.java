package dev.herald.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.herald.auth.RequestVerifier.AuthenticationException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiQueryTest {

  @Test
  void lowerCasesAndDecodesKeysAndSortsTheCanonicalForm() {
    ApiQuery query = ApiQuery.parse("b=2&A%5Fb=x%20y&Info=user_count,subscription_count");
    assertEquals("a_b=x y&b=2&info=user_count,subscription_count", query.canonical());
    assertEquals(Optional.of("user_count,subscription_count"), query.get("info"));
  }

  @Test
  void leavesAuthSignatureOutOfTheCanonicalForm() {
    assertEquals("auth_key=k", ApiQuery.parse("auth_signature=s&auth_key=k").canonical());
  }

  @Test
  void joinsAPlainRepetitionWithCommasAsTheSigningRulesDo() {
    ApiQuery query = ApiQuery.parse("k[]=a&k[]=b");
    assertEquals("k[]=a,b", query.canonical());
    assertEquals(Optional.of("a,b"), query.get("k[]"));
  }

  @Test
  void refusesAKeyUnderTwoSpellings() {
    AuthenticationException error =
        assertThrows(AuthenticationException.class, () -> ApiQuery.parse("info=a&INFO=b"));
    assertEquals("Query parameter info is given twice, as info and as INFO", error.getMessage());
    assertThrows(AuthenticationException.class, () -> ApiQuery.parse("info=a&%49nfo=b"));
  }

  @Test
  void readsEmptyAndMissingValuesAsEmpty() {
    ApiQuery query = ApiQuery.parse("&a&b=&&c=1=2");
    assertEquals("a=&b=&c=1=2", query.canonical());
    assertEquals(Optional.empty(), query.get("d"));
    assertEquals("", ApiQuery.parse(null).canonical());
    assertEquals("", ApiQuery.parse("").canonical());
  }

  @Test
  void refusesMalformedEscapesAndTooManyParameters() {
    assertThrows(AuthenticationException.class, () -> ApiQuery.parse("a=%zz"));
    assertThrows(AuthenticationException.class, () -> ApiQuery.parse("a=%"));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= ApiQuery.MAX_PARAMETERS; i++) {
      many.append("k").append(i).append("=v&");
    }
    assertThrows(AuthenticationException.class, () -> ApiQuery.parse(many.toString()));
  }
}
