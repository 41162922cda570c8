package dev.herald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvFileTest {

  @TempDir Path dir;

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve(".env"), text);
  }

  @Test
  void readsExportedQuotedAndCommentedLinesAsPhpdotenvDoes() throws IOException {
    Path env =
        write(
            "# a comment\n"
                + "export REVERB_APP_ID=1001\n"
                + "REVERB_APP_KEY=\"key \\\"quoted\\\"\"\n"
                + "REVERB_APP_SECRET='${NOT_RESOLVED}'\n"
                + "REVERB_HOST=localhost # trailing comment\n");
    assertEquals(
        Map.of(
            "REVERB_APP_ID", "1001",
            "REVERB_APP_KEY", "key \"quoted\"",
            "REVERB_APP_SECRET", "${NOT_RESOLVED}",
            "REVERB_HOST", "localhost"),
        EnvFile.read(env, name -> null));
  }

  @Test
  void resolvesReferencesToEarlierLinesWithTheProcessEnvironmentFirst() throws IOException {
    Path env =
        write(
            "REVERB_APP_KEY=from-file\n"
                + "REVERB_PORT=8080\n"
                + "VITE_REVERB_APP_KEY=\"${REVERB_APP_KEY}\"\n"
                + "VITE_REVERB_PORT=${REVERB_PORT}\n");
    Map<String, String> read =
        EnvFile.read(env, name -> name.equals("REVERB_PORT") ? "9090" : null);
    assertEquals("from-file", read.get("VITE_REVERB_APP_KEY"));
    assertEquals("9090", read.get("VITE_REVERB_PORT"));
  }

  @Test
  void anUnreadableFileNamesItsPath() {
    Path missing = dir.resolve("missing.env");
    ConfigException e =
        assertThrows(ConfigException.class, () -> EnvFile.read(missing, name -> null));
    assertTrue(e.getMessage().startsWith(missing + ": cannot read the env file"), e.getMessage());
  }

  @Test
  void anUnterminatedQuoteInAHeraldSettingNamesTheLineAndKeyWithoutTheValue() throws IOException {
    Path env = write("APP_NAME=Laravel\nREVERB_APP_SECRET=\"s3cret\n");
    ConfigException e = assertThrows(ConfigException.class, () -> EnvFile.read(env, n -> null));
    assertEquals(env + " line 2 (REVERB_APP_SECRET): unterminated \" quote", e.getMessage());
  }
}
