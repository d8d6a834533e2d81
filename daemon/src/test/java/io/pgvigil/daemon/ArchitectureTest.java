package io.pgvigil.daemon;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The boundaries the build enforces, on the main classes of every module: the daemon's packages
 * form no cycle, the check SPI sits below everything and the composition root on top, the
 * {@code checks} and {@code alerts} modules never see the daemon, and nobody reaches into another
 * module's {@code internal} package.
 */
class ArchitectureTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.pgvigil");

  private static final Pattern INTERNAL = Pattern.compile("io\\.pgvigil\\.(\\w+)\\.internal(\\..+)?");

  @Test
  void theDaemonsPackagesFormNoCycle() {
    slices().matching("io.pgvigil.daemon.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void theCheckSpiDependsOnlyOnTheLowPackages() {
    classes().that().resideInAPackage("io.pgvigil.daemon.watch..")
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.pgvigil.daemon..")).or(resideInAnyPackage(
            "io.pgvigil.daemon.watch..", "io.pgvigil.daemon.config..", "io.pgvigil.daemon.metrics..",
            "io.pgvigil.daemon.tls..", "io.pgvigil.daemon.logging..")))
        .check(MAIN);
  }

  @Test
  void onlyTheCommandsUseTheCompositionRoot() {
    noClasses().that().resideOutsideOfPackages("io.pgvigil.daemon.runtime..", "io.pgvigil.daemon.cli..",
        "io.pgvigil.daemon.demo..")
        .should().dependOnClassesThat().resideInAPackage("io.pgvigil.daemon.runtime..")
        .check(MAIN);
  }

  @Test
  void theChecksAndAlertsModulesNeverDependOnTheDaemon() {
    noClasses().that().resideInAnyPackage("io.pgvigil.checks..", "io.pgvigil.alerts..")
        .should().dependOnClassesThat().resideInAPackage("io.pgvigil.daemon..")
        .check(MAIN);
  }

  @Test
  void noModuleUsesAnotherModulesInternalPackage() {
    classes().should(onlyHaveDependenciesWhere(not(intoAnotherModulesInternals()))).check(MAIN);
  }

  private static DescribedPredicate<Dependency> intoAnotherModulesInternals() {
    return DescribedPredicate.describe("the target is in another module's internal package", d -> {
      Matcher internal = INTERNAL.matcher(d.getTargetClass().getPackageName());
      String module = internal.matches() ? "io.pgvigil." + internal.group(1) : null;
      String origin = d.getOriginClass().getPackageName();
      return module != null && !origin.equals(module) && !origin.startsWith(module + ".");
    });
  }
}
