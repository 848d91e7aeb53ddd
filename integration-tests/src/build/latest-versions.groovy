// Run by gmavenplus-plugin in the `latest` profile (integration-tests/pom.xml), phase initialize.
//
// Sets one project property per artifact group below to the newest release, within the range that the profile's
// property latest.<line>.range gives, of which every artifact of the group actually resolves, POM and parent POMs
// included. The plugins that run later (dependency:copy and unpack, failsafe, invoker) read the version
// properties the profile points at these, at their execution time.
//
// Why a script: dependency:copy and dependency:unpack take no version range, and a BOM import cannot be one; Maven's
// resolver can resolve a range, and can tell whether an artifact is really there. The repository's metadata
// sometimes lists a version whose tar.gz or POM was never published (or is missing from a partial mirror), so the
// versions are tried from the highest down and each one skipped is logged with its reason.

import org.eclipse.aether.RepositorySystem
import org.eclipse.aether.artifact.DefaultArtifact
import org.eclipse.aether.resolution.ArtifactDescriptorRequest
import org.eclipse.aether.resolution.ArtifactRequest
import org.eclipse.aether.resolution.VersionRangeRequest

def system = session.container.lookup(RepositorySystem)
def repoSession = session.repositorySession
def repositories = project.remoteProjectRepositories

// Milestones, release candidates, alphas and betas: Maven's ordering puts many of them inside a line's range
// (12.1.0.alpha0 sorts below 12.1, hence inside [12.0,12.1-M0)), so they are filtered by name.
def preRelease = ~/(?i)(alpha|beta|snapshot|[.-]rc\d*|[.-]cr\d*|[.-]m\d+)/

// property set -> [the line's range property, artifacts "groupId:artifactId:extension"]
def jetty10Embedded = ['jetty-servlet', 'jetty-security', 'jetty-server', 'jetty-http', 'jetty-io', 'jetty-util']
        .collect { "org.eclipse.jetty:${it}:jar" }
def jetty12Embedded = ['org.eclipse.jetty.ee10:jetty-ee10-webapp', 'org.eclipse.jetty.ee10:jetty-ee10-servlet',
                       'org.eclipse.jetty.ee:jetty-ee-webapp'] +
        ['jetty-server', 'jetty-http', 'jetty-io', 'jetty-util', 'jetty-security', 'jetty-session', 'jetty-xml',
         'jetty-slf4j-impl'].collect { "org.eclipse.jetty:${it}" }
def jetty120Embedded = ['org.eclipse.jetty.ee10:jetty-ee10-servlet'] +
        ['jetty-server', 'jetty-http', 'jetty-io', 'jetty-util', 'jetty-security', 'jetty-session', 'jetty-slf4j-impl']
                .collect { "org.eclipse.jetty:${it}" }
// What a child build of the Spring Boot test applications needs of Boot itself; Boot 4 names Spring MVC's starter
// spring-boot-starter-webmvc. The actuator's starter is for the starter's application, which is built on 3.5, 4.0
// and 4.1 only; 2.7 is checked for it too, so that one list serves every line. Both applications of a line get the
// same version.
def springBoot = { String mvcStarter ->
    ['spring-boot-dependencies:pom', 'spring-boot-maven-plugin:jar', 'spring-boot-loader:jar', "${mvcStarter}:jar",
     'spring-boot-starter-tomcat:jar', 'spring-boot-starter-jetty:jar', 'spring-boot-starter-actuator:jar']
            .collect { "org.springframework.boot:${it}" }
}
def groups = [
    'latest.tomcat9.distribution'         : ['latest.tomcat9.range', ['org.apache.tomcat:tomcat:tar.gz']],
    'latest.tomcat9.embedded'             : ['latest.tomcat9.range', ['org.apache.tomcat.embed:tomcat-embed-core:jar']],
    'latest.tomcat9.annotations-api'      : ['latest.tomcat9.range', ['org.apache.tomcat:tomcat-annotations-api:jar']],
    'latest.tomcat10.distribution'        : ['latest.tomcat10.range', ['org.apache.tomcat:tomcat:tar.gz']],
    'latest.tomcat10.embedded'            : ['latest.tomcat10.range', ['org.apache.tomcat.embed:tomcat-embed-core:jar']],
    'latest.tomcat10.annotations-api'     : ['latest.tomcat10.range', ['org.apache.tomcat:tomcat-annotations-api:jar']],
    'latest.tomcat11.distribution'        : ['latest.tomcat11.range', ['org.apache.tomcat:tomcat:tar.gz']],
    'latest.tomcat11.embedded'            : ['latest.tomcat11.range', ['org.apache.tomcat.embed:tomcat-embed-core:jar']],
    'latest.tomcat11.annotations-api'     : ['latest.tomcat11.range', ['org.apache.tomcat:tomcat-annotations-api:jar']],
    'latest.jetty94.distribution'         : ['latest.jetty94.range', ['org.eclipse.jetty:jetty-distribution:tar.gz']],
    'latest.jetty10.distribution'         : ['latest.jetty10.range', ['org.eclipse.jetty:jetty-home:tar.gz']],
    'latest.jetty10.embedded'             : ['latest.jetty10.range', jetty10Embedded],
    'latest.jetty10.slf4j-impl'           : ['latest.jetty10.range', ['org.eclipse.jetty:jetty-slf4j-impl:jar']],
    'latest.jetty11.distribution'         : ['latest.jetty11.range', ['org.eclipse.jetty:jetty-home:tar.gz']],
    // Jetty 11's console logger is copied at the core's version (Jetty 10's has its own, above).
    'latest.jetty11.embedded'             : ['latest.jetty11.range', jetty10Embedded + ['org.eclipse.jetty:jetty-slf4j-impl:jar']],
    'latest.jetty120.distribution'        : ['latest.jetty120.range', ['org.eclipse.jetty:jetty-home:tar.gz']],
    'latest.jetty120.embedded'            : ['latest.jetty120.range', jetty120Embedded.collect { it + ':jar' }],
    'latest.jetty121.distribution'        : ['latest.jetty121.range', ['org.eclipse.jetty:jetty-home:tar.gz']],
    'latest.jetty121.embedded'            : ['latest.jetty121.range', jetty12Embedded.collect { it + ':jar' }],
    'latest.springBoot27'                 : ['latest.springBoot27.range', springBoot('spring-boot-starter-web')],
    'latest.springBoot35'                 : ['latest.springBoot35.range', springBoot('spring-boot-starter-web')],
    'latest.springBoot40'                 : ['latest.springBoot40.range', springBoot('spring-boot-starter-webmvc')],
    'latest.springBoot41'                 : ['latest.springBoot41.range', springBoot('spring-boot-starter-webmvc')],
]

// null when the artifact resolves and its POM can be read with its parents (dependency:copy and unpack read it:
// 12.0.40's jetty-ee10-servlet resolves, but its parent jetty-project 12.0.40 was missing), else why not.
def resolves = { String coordinates ->
    def artifact = new DefaultArtifact(coordinates)
    try {
        system.resolveArtifact(repoSession, new ArtifactRequest(artifact, repositories, null))
        def descriptor = system.readArtifactDescriptor(repoSession,
                new ArtifactDescriptorRequest(artifact, repositories, null))
        if (descriptor.exceptions) {
            return "its POM cannot be read: " + descriptor.exceptions*.message.join('; ').readLines().first()
        }
        return null
    } catch (Exception e) {
        // The first line of each cause: "Failed to read artifact descriptor" alone would not say what is missing.
        def reasons = []
        for (Throwable t = e; t != null; t = t.cause) {
            def line = t.message?.readLines()?.find { it }
            if (line && !reasons.any { it.contains(line) }) {
                reasons << line
            }
        }
        return reasons.join(': ')
    }
}

def failures = []
groups.each { property, spec ->
    def (rangeProperty, artifacts) = spec
    def range = project.properties.getProperty(rangeProperty)
    if (!range) {
        failures << "${property}: no property ${rangeProperty}"
        return
    }
    def first = artifacts[0].split(':')
    def rangeResult = system.resolveVersionRange(repoSession, new VersionRangeRequest(
            new DefaultArtifact("${first[0]}:${first[1]}:${first[2]}:${range}"), repositories, null))
    def candidates = rangeResult.versions.collect { it.toString() }.reverse()
    def chosen = null
    for (version in candidates) {
        if (version =~ preRelease) {
            continue
        }
        def missing = null
        for (a in artifacts) {
            def (g, id, ext) = a.split(":").toList()
            missing = resolves("${g}:${id}:${ext}:${version}")
            if (missing) {
                break
            }
        }
        if (missing) {
            log.warn("latest: ${property}: skipping ${version}: ${missing}")
            continue
        }
        chosen = version
        break
    }
    if (chosen == null) {
        failures << "${property}: no release in ${range} of ${artifacts.join(', ')} resolves (versions listed: ${candidates})"
        return
    }
    project.properties.setProperty(property, chosen)
    log.info("latest: ${property} = ${chosen} (${rangeProperty} ${range}, ${artifacts.size()} artifact(s))")
}
if (failures) {
    throw new IllegalStateException("latest profile: " + failures.join('; '))
}

// The Spring Boot test applications' parent, wait-until-parent, manages the servlet API and SLF4J, and an inherited
// entry beats an imported BOM: each child build is handed the versions that its Boot release's own BOM names
// (latest.springBoot27.jakarta-servlet, latest.springBoot27.slf4j, ...).
groups.keySet().findAll { it.startsWith('latest.springBoot') }.each { property ->
    def bom = system.resolveArtifact(repoSession, new ArtifactRequest(new DefaultArtifact(
            "org.springframework.boot:spring-boot-dependencies:pom:${project.properties.getProperty(property)}"),
            repositories, null)).artifact.file
    // The JDK's parser: groovy-xml is not among the plugin's dependencies.
    def pom = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(bom)
    def bomProperties = pom.documentElement.getElementsByTagName('properties').item(0)
    ['jakarta-servlet', 'slf4j'].each { name ->
        def element = bomProperties.getElementsByTagName("${name}.version".toString()).item(0)
        def version = element?.textContent?.trim()
        if (!version) {
            throw new IllegalStateException("latest profile: ${bom} names no ${name}.version")
        }
        project.properties.setProperty("${property}.${name}", version)
        log.info("latest: ${property}.${name} = ${version} (from ${bom.name})")
    }
}
